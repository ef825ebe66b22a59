import { useEffect, useRef, useState } from 'react'

export type SaveState = { kind: 'idle' } | { kind: 'saved' } | { kind: 'error'; message: string }

const message = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * Runs one control's save and remembers how it went: "Saved" for a few seconds, or the refusal
 * until the next try. Each control confirms in place; nothing pops up elsewhere.
 */
export function useSave() {
  const [state, setState] = useState<SaveState>({ kind: 'idle' })
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])
  async function save(run: () => Promise<unknown>): Promise<boolean> {
    clearTimeout(timer.current)
    try {
      const result = await run()
      // `false`: the user said no in main's dialog, or cancelled a picker: nothing was saved.
      if (result === false) {
        setState({ kind: 'idle' })
        return false
      }
      setState({ kind: 'saved' })
      timer.current = setTimeout(() => setState({ kind: 'idle' }), 3000)
      return true
    } catch (err) {
      setState({ kind: 'error', message: message(err) })
      return false
    }
  }
  return { state, save, fail: (text: string) => setState({ kind: 'error', message: text }) }
}

/**
 * "Saved" beside the control (announced politely), or what is wrong with its value (announced at
 * once). `id` lets the control point at it with aria-describedby.
 */
export function SaveNote(props: { id: string; state: SaveState }) {
  const { state } = props
  return (
    <>
      <span className="save-note" role="status" aria-live="polite">
        {state.kind === 'saved' ? 'Saved' : ''}
      </span>
      {state.kind === 'error' && (
        <p className="error field-error" id={props.id} role="alert">
          {state.message}
        </p>
      )}
    </>
  )
}
