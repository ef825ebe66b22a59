import type { BenchEntry } from './results'

/** Every figure the issue asks of one `npm run bench`, in the order the README explains them. */
export const REQUIRED_FIGURES = [
  'time_to_submit',
  'rerender_upload_bytes',
  'rerender_app_ms',
  'batch_vs_ideal',
  'batch_1000_overhead_ms',
  'batch_first_submit_s',
  'filmstrip_ms',
  'upload_rss_mb',
  'player_drift_frames',
  'renderer_cold_start_ms',
] as const

const num = (n: number | null) =>
  n === null ? '–' : Math.abs(n) >= 100 ? n.toFixed(0) : String(Number(n.toPrecision(3)))

/** The run's figures as an aligned text table, required ones first, then any others. */
export function benchTable(entries: BenchEntry[]): string {
  const order = (e: BenchEntry) => {
    const i = (REQUIRED_FIGURES as readonly string[]).indexOf(e.name)
    return i === -1 ? REQUIRED_FIGURES.length : i
  }
  const rows = [...entries]
    .sort((a, b) => order(a) - order(b))
    .map((e) => [
      e.name,
      `${num(e.value)} ${e.unit}`,
      e.baselineValue === null ? '–' : `${num(e.baselineValue)} ${e.unit}`,
      e.ratio === null ? '–' : `${num(e.ratio)}×`,
      e.target,
      e.met ? 'yes' : 'NO',
    ])
  const head = ['figure', 'Reanimate', 'baseline', 'ratio', 'target', 'met']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

/** The required figures this run did not produce. */
export function missingFigures(entries: BenchEntry[]): string[] {
  const have = new Set(entries.map((e) => e.name))
  return REQUIRED_FIGURES.filter((n) => !have.has(n))
}
