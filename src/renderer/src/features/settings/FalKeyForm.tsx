import { useState, type FormEvent } from 'react'
import { useApp } from '../../stores/app-store'

const SOURCE_TEXT = {
  stored: 'A fal key is saved, encrypted by your system.',
  session: 'A fal key is set for this session only (not written to disk).',
  env: 'Using the FAL_KEY environment variable.',
  none: 'No fal key yet. Rendering needs one.',
  /** A proxy is set: it adds its own key, so none is needed here. */
  proxy: 'No fal key saved here; your fal proxy adds its own, so none is needed.',
} as const

/** Set, replace or remove the fal key. The key goes to main and never comes back. */
export function FalKeyForm() {
  const keyStatus = useApp((s) => s.keyStatus)
  const setFalKey = useApp((s) => s.setFalKey)
  const clearFalKey = useApp((s) => s.clearFalKey)
  const [draft, setDraft] = useState('')
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)
  /** "Saved" or "Removed", beside the field, for a few seconds (announced politely). */
  const [done, setDone] = useState('')
  const confirm = (text: string) => {
    setDone(text)
    setTimeout(() => setDone(''), 3000)
  }

  if (!keyStatus) return null

  async function save(e: FormEvent) {
    e.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await setFalKey(draft)
      setDraft('')
      confirm('Saved')
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="setting" onSubmit={save} aria-label="fal key">
      <h4>fal key</h4>
      <p className="muted" data-testid="key-status">
        {
          SOURCE_TEXT[
            keyStatus.source === 'stored' && keyStatus.storage === 'memory'
              ? 'session'
              : keyStatus.source === 'none' && keyStatus.proxy
                ? 'proxy'
                : keyStatus.source
          ]
        }{' '}
        {keyStatus.storage === 'memory' && keyStatus.source !== 'env' && (
          <>Here a saved key lasts until Reanimate stops; start it with FAL_KEY set to keep one. </>
        )}
        {keyStatus.source === 'none' && (
          <>
            {keyStatus.proxy ? 'To use your own key, get one at ' : 'Get one at '}
            <a href={keyStatus.helpUrl} target="_blank" rel="noreferrer">
              {keyStatus.helpUrl}
            </a>
            .
          </>
        )}
      </p>
      {!keyStatus.canStore && (
        <p className="warn">
          This system has no keychain to protect a saved key. Set FAL_KEY in your environment
          instead.
        </p>
      )}
      <div className="row">
        <input
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder={
            keyStatus.source === 'stored' ? 'Replace the saved key' : 'Paste your fal key'
          }
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          aria-label="fal key"
          aria-invalid={Boolean(error)}
          aria-describedby="fal-key-error"
          disabled={!keyStatus.canStore || busy}
        />
        <button type="submit" disabled={!draft.trim() || busy || !keyStatus.canStore}>
          {keyStatus.source === 'stored' ? 'Replace' : 'Save'}
        </button>
        {keyStatus.source === 'stored' && (
          <button
            type="button"
            className="ghost"
            onClick={() => void clearFalKey().then(() => confirm('Removed'))}
            disabled={busy}
          >
            Remove
          </button>
        )}
      </div>
      <span className="save-note" role="status">
        {done}
      </span>
      {error && (
        <p className="error field-error" role="alert" id="fal-key-error">
          {error}
        </p>
      )}
    </form>
  )
}
