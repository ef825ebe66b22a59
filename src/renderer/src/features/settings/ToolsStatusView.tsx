import { useApp } from '../../stores/app-store'

const SOURCE = {
  setting: 'from Settings',
  env: 'from the environment',
  bundled: 'bundled',
  path: 'from PATH',
} as const

/** Says which ffmpeg/ffprobe the app runs, so "it works on my machine" is answerable. */
export function ToolsStatusView() {
  const tools = useApp((s) => s.info?.tools)
  if (!tools) return null
  return (
    <ul className="tools" data-testid="tools-status">
      {[tools.ffmpeg, tools.ffprobe].map((t, i) =>
        t ? (
          <li key={t.name}>
            <strong>{t.name}</strong> {t.version}{' '}
            <span className="muted">
              ({SOURCE[t.source]}: {t.path})
            </span>
          </li>
        ) : (
          <li key={i} className="error">
            {i === 0 ? 'ffmpeg' : 'ffprobe'} not found
          </li>
        ),
      )}
      {tools.problems.map((p) => (
        <li key={p} className="warn">
          {p}
        </li>
      ))}
    </ul>
  )
}
