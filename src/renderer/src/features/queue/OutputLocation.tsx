import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * Where a finished render went: its path, and Show in folder (main opens the OS file manager on
 * the path it recorded); a browser tab has no file manager, so it offers Copy path instead.
 */
export function OutputLocation({ id, output }: { id: string; output: string }) {
  const inBrowser = useApp((s) => s.info?.transport === 'websocket')
  const notify = useApp((s) => s.notify)

  async function copy() {
    try {
      await navigator.clipboard.writeText(output)
      notify('info', 'Path copied.')
    } catch {
      notify('error', 'The browser did not allow copying: select the path and copy it by hand.')
    }
  }

  async function reveal() {
    try {
      if (!(await getBridge().jobs.reveal({ id })).shown) await copy()
    } catch (err) {
      notify('error', errorText(err))
    }
  }

  return (
    <span className="output-path">
      <code title={output}>{output}</code>
      {inBrowser ? (
        <button className="ghost" onClick={() => void copy()}>
          Copy path
        </button>
      ) : (
        <button className="ghost" onClick={() => void reveal()}>
          Show in folder
        </button>
      )}
    </span>
  )
}
