import type { JobProgress } from '../shared/jobs'
import type { MediaProgress } from '../shared/media'

export const clock = (s: number) => {
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

/** `wait      position 2  request abc  elapsed 0:12` — one stderr line per change of a job. */
export function jobLine(p: JobProgress, label = ''): string {
  const parts = [label ? `${label}  ${p.stage}` : p.stage.padEnd(8)]
  if (p.status !== 'running' && p.status !== p.stage) parts.push(p.status)
  if (p.fraction !== undefined) parts.push(`${Math.round(p.fraction * 100)}%`)
  if (p.queuePosition !== undefined) parts.push(`queue position ${p.queuePosition + 1}`)
  if (p.requestId) parts.push(`request ${p.requestId}`)
  parts.push(`elapsed ${clock(p.elapsedSec)}`)
  return parts.join('  ')
}
