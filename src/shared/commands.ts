/** One ffmpeg/ffprobe run as the user can see and copy it. */
export interface CommandRecord {
  id: number
  purpose: string
  commandLine: string
  startedAt: string
  durationMs?: number
  exitCode?: number | null
  outcome?: 'ok' | 'failed' | 'cancelled'
}
