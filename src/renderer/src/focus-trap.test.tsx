import { afterEach, describe, expect, it } from 'vitest'
import { StrictMode, useRef, useState } from 'react'
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useFocusTrap } from './focus-trap'

/** A dialog mounted when it opens (as the file picker is), always open while mounted. */
function RenameDialog({ close }: { close: () => void }) {
  const dialog = useRef<HTMLDivElement>(null)
  useFocusTrap(dialog, true, close)
  return (
    <div role="dialog" aria-label="Rename" ref={dialog}>
      {/* Not the first control: the field takes focus itself, as the file picker's path bar does. */}
      <button onClick={close}>Cancel</button>
      <input aria-label="Name" autoFocus />
      <button onClick={close}>Done</button>
    </div>
  )
}

/** A button that opens a dialog whose field takes focus itself (autoFocus), as a rename box does. */
function Opener() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button onClick={() => setOpen(true)}>Rename…</button>
      <button>Elsewhere</button>
      {open && <RenameDialog close={() => setOpen(false)} />}
    </>
  )
}

/** The other way to use it: always mounted, `open` says when (as the Settings drawer is). */
function ToggledOpener() {
  const [open, setOpen] = useState(false)
  const dialog = useRef<HTMLDivElement>(null)
  useFocusTrap(dialog, open, () => setOpen(false))
  return (
    <>
      <button onClick={() => setOpen(true)}>Rename…</button>
      {open && (
        <div role="dialog" aria-label="Rename" ref={dialog}>
          <button onClick={() => setOpen(false)}>Cancel</button>
          <input aria-label="Name" autoFocus />
          <button onClick={() => setOpen(false)}>Done</button>
        </div>
      )}
    </>
  )
}

afterEach(cleanup)

describe('useFocusTrap', () => {
  it.each([
    ['mounted on opening', Opener],
    ['told by open', ToggledOpener],
  ])(
    '%s: gives focus back to the control that opened it, though a field took focus on opening',
    async (_, Component) => {
      render(<Component />)
      const rename = screen.getByRole('button', { name: 'Rename…' })
      for (const close of ['{Escape}', 'Done'] as const) {
        await userEvent.click(rename)
        expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' }))
        if (close === 'Done') await userEvent.click(screen.getByRole('button', { name: 'Done' }))
        else await userEvent.keyboard(close)
        expect(screen.queryByRole('dialog')).toBeNull()
        expect(document.activeElement).toBe(rename)
      }
    },
  )

  it('keeps focus in the field that took it when React re-runs its effects (StrictMode)', async () => {
    render(
      <StrictMode>
        <Opener />
      </StrictMode>,
    )
    const rename = screen.getByRole('button', { name: 'Rename…' })
    await userEvent.click(rename)
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' }))
    await userEvent.keyboard('{Escape}')
    expect(document.activeElement).toBe(rename)
  })

  it('keeps Tab inside while open', async () => {
    render(<Opener />)
    await userEvent.click(screen.getByRole('button', { name: 'Rename…' }))
    await userEvent.tab()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Done' }))
    await userEvent.tab()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Cancel' }))
    await userEvent.tab({ shift: true })
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Done' }))
  })
})
