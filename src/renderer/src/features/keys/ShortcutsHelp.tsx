import { SHORTCUTS, useShortcutsHelp } from './shortcuts'

/** "?": every shortcut, from the one list they are bound from. */
export function ShortcutsHelp() {
  const open = useShortcutsHelp((s) => s.open)
  if (!open) return null
  const shown = SHORTCUTS.filter((s) => s.keys)
  return (
    <div className="modal-backdrop" onClick={() => useShortcutsHelp.setState({ open: false })}>
      <div className="modal" role="dialog" aria-label="Keyboard shortcuts" aria-modal>
        <h2>Keyboard shortcuts</h2>
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
      </div>
    </div>
  )
}
