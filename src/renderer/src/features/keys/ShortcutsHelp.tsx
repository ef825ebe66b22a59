import { useRef } from 'react'
import { SHORTCUTS, useShortcutsHelp } from './shortcuts'
import { useFocusTrap } from '../../focus-trap'

/** Keys of the library's clip list, while the focus is in it (handled there, not bound here). */
const IN_THE_CLIP_LIST: [string, string][] = [
  ['Ctrl/Cmd+click', 'pick one more, or take it out'],
  ['Shift+click', 'pick the run from the last click'],
  ['↑ / ↓', 'the clip above / below'],
  ['Shift+↑ / ↓', 'pick the run up / down'],
  ['Ctrl/Cmd+A', 'pick every clip listed'],
  ['Delete', 'remove the picked clips (Ctrl/Cmd+Z brings them back)'],
]

/** "?": every shortcut, from the one list they are bound from. */
export function ShortcutsHelp() {
  const open = useShortcutsHelp((s) => s.open)
  const dialog = useRef<HTMLDivElement>(null)
  const close = () => useShortcutsHelp.setState({ open: false })
  useFocusTrap(dialog, open, close)
  if (!open) return null
  const shown = SHORTCUTS.filter((s) => s.keys)
  return (
    <div className="modal-backdrop" onClick={close}>
      <div
        className="modal shortcuts-help"
        role="dialog"
        aria-label="Keyboard shortcuts"
        aria-modal
        ref={dialog}
        onClick={(e) => e.stopPropagation()}
      >
        <div className="dialog-header">
          <h2>Keyboard shortcuts</h2>
          <button className="ghost" onClick={close} aria-label="Close keyboard shortcuts">
            ✕
          </button>
        </div>
        <table className="shortcuts">
          <tbody>
            {shown.map((s) => (
              <tr key={s.keys}>
                <th scope="row">
                  <kbd>{s.keys}</kbd>
                </th>
                <td>{s.label}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">They work whenever you are not typing; Esc leaves a text field.</p>
        <h2>In the clip list</h2>
        <table className="shortcuts">
          <tbody>
            {IN_THE_CLIP_LIST.map(([keys, label]) => (
              <tr key={keys}>
                <th scope="row">
                  <kbd>{keys}</kbd>
                </th>
                <td>{label}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}
