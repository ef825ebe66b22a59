/** 75.5 → "1:15.50"; 3725 → "1:02:05.00". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–'
  const h = Math.floor(sec / 3600)
  const m = Math.floor((sec % 3600) / 60)
  const s = sec % 60
  const ss = s.toFixed(2).padStart(5, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** 29.97002997 → "29.97"; 30 → "30". */
export function formatFps(fps: number): string {
  return fps > 0 ? String(Math.round(fps * 100) / 100) : '–'
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`
}
