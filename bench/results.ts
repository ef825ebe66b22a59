import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { writeJsonAtomic } from '../src/main/storage/json-file'

/** One figure of `npm run bench`, beside the alternative a user would otherwise use. */
export interface BenchEntry {
  name: string
  value: number
  unit: string
  /** What a user would do instead, in words. */
  baseline: string | null
  baselineValue: number | null
  /** baselineValue ÷ value: how many times better Reanimate is (for "lower is better" figures). */
  ratio: number | null
  /** In words, e.g. "< 2000 ms" or "≥ 5× faster". */
  target: string
  met: boolean
  notes: string
}

export interface BenchFigure {
  name: string
  value: number
  unit: string
  baseline?: { what: string; value: number }
  /** Met when the figure is at most `max`, or the ratio at least `minRatio`. */
  target: { max?: number; minRatio?: number; text: string }
  notes?: string
}

const round = (n: number, digits = 3) => Number(n.toFixed(digits))

/** The entry for a figure: its ratio to the baseline, and whether its target is met. */
export function benchEntry(f: BenchFigure): BenchEntry {
  const ratio = f.baseline && f.value > 0 ? round(f.baseline.value / f.value, 2) : null
  const met =
    (f.target.max === undefined || f.value <= f.target.max) &&
    (f.target.minRatio === undefined || (ratio !== null && ratio >= f.target.minRatio))
  return {
    name: f.name,
    value: round(f.value),
    unit: f.unit,
    baseline: f.baseline?.what ?? null,
    baselineValue: f.baseline ? round(f.baseline.value) : null,
    ratio,
    target: f.target.text,
    met,
    notes: f.notes ?? '',
  }
}

/** The run's file: each benchmark replaces its own entries by name; the machine is written down. */
export const RESULTS_FILE = path.resolve(import.meta.dirname, 'results.json')

export async function recordBench(figures: BenchFigure[], file = RESULTS_FILE): Promise<void> {
  const entries = figures.map(benchEntry)
  const before = await fs
    .readFile(file, 'utf8')
    .then((t) => JSON.parse(t) as { entries?: BenchEntry[] })
    .catch(() => ({ entries: [] as BenchEntry[] }))
  const names = new Set(entries.map((e) => e.name))
  await writeJsonAtomic(file, {
    machine: {
      cores: os.cpus().length,
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      platform: `${process.platform} ${os.release()}`,
      node: process.version,
    },
    writtenAt: new Date().toISOString(),
    entries: [...(before.entries ?? []).filter((e) => !names.has(e.name)), ...entries],
  })
}
