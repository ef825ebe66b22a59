import { useId, useState } from 'react'
import { useApp } from '../../stores/app-store'
import { SaveNote, useSave } from './save-state'

/**
 * Whether the desktop app looks for a new version when it starts. Saved as soon as it is ticked;
 * the Help menu checks whatever this says, and nothing downloads without a yes.
 */
export function UpdateSettings() {
  const value = useApp((s) => s.settings?.checkForUpdates ?? true)
  const update = useApp((s) => s.updateSettings)
  const { state, save } = useSave()
  // The tick shows at once; a refused save goes back to what is saved.
  const [ticked, setTicked] = useState<boolean | null>(null)
  const id = useId()
  return (
    <div className="setting">
      <label className="check">
        <input
          type="checkbox"
          checked={ticked ?? value}
          aria-describedby={`${id}-hint ${id}-error`}
          onChange={(e) => {
            const checkForUpdates = e.target.checked
            setTicked(checkForUpdates)
            void save(() => update({ checkForUpdates })).finally(() => setTicked(null))
          }}
        />
        <span>Check for updates when Reanimate starts</span>
      </label>
      <SaveNote id={`${id}-error`} state={state} />
      <p className="hint" id={`${id}-hint`}>
        Reanimate asks before downloading a new version, and installs it when you quit. The Help
        menu checks at any time.
      </p>
    </div>
  )
}
