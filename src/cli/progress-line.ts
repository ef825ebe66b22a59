import type { MediaProgress } from '../shared/media'

const clock = (s: number) => {
  const m = Math.floor(s / 60)
  return `${m}:${String(Math.floor(s % 60)).padStart(2, '0')}`
}

/** `prepare  42%  2.1x  elapsed 0:03  eta 0:04` — one stderr line per update. */
export function formatProgress(stage: string, p: MediaProgress): string {
  const parts = [stage.padEnd(8), `${Math.round(p.fraction * 100)}%`.padStart(4)]
  if (p.speed > 0) parts.push(`${p.speed.toFixed(1)}x`)
  parts.push(`elapsed ${clock(p.elapsedSec)}`)
  if (p.etaSec !== null) parts.push(`eta ${clock(p.etaSec)}`)
  return parts.join('  ')
}
