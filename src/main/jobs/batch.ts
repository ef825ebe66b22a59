import fs from 'node:fs/promises'
import path from 'node:path'
import PQueue from 'p-queue'
import type { ErrorInfo } from '../../shared/errors'
import { toErrorInfo } from '../../shared/errors'
import type { MediaService } from '../media/media-service'
import { writeJsonAtomic, writeTextAtomic } from '../storage/json-file'
import { csvCell } from './csv'
import { isIgnoredName, isVideoName } from '../../shared/video-files'
import { outputName } from '../../shared/presets'

// One rule for what a clip is, shared with the window (a dropped folder in the browser tab).
export { isIgnoredName, VIDEO_EXTENSIONS } from '../../shared/video-files'

/** Every file under `dir` (optionally recursive), sorted, leaving out `exclude` (an out-dir inside dir). */
export async function scanFolder(
  dir: string,
  options: { recursive: boolean; exclude?: string; hidden?: string[] },
): Promise<string[]> {
  const out: string[] = []
  const exclude = options.exclude ? path.resolve(options.exclude) : null
  async function walk(d: string): Promise<void> {
    const entries = await fs.readdir(d, { withFileTypes: true })
    entries.sort((a, b) => a.name.localeCompare(b.name))
    for (const e of entries) {
      const full = path.join(d, e.name)
      if (isIgnoredName(e.name)) {
        // Named only when asked (the batch panel's preview says why they are left out).
        if (options.hidden && e.isFile()) options.hidden.push(full)
        continue
      }
      if (exclude && (full === exclude || full.startsWith(exclude + path.sep))) continue
      if (e.isDirectory()) {
        if (options.recursive) await walk(full)
      } else if (e.isFile()) out.push(full)
    }
  }
  await walk(path.resolve(dir))
  return out
}

/**
 * A folder as clips: every video under it (recursively, in name order), and the other files, which
 * are not clips. Hidden files and OS litter are in neither; links are not followed.
 */
export async function videosInFolder(dir: string): Promise<{ videos: string[]; others: string[] }> {
  const files = await scanFolder(dir, { recursive: true })
  const videos: string[] = []
  const others: string[] = []
  for (const f of files) (isVideoName(path.basename(f)) ? videos : others).push(f)
  return { videos, others }
}

/** `{stem}.reanimate` + `clips/a/b.mov` → `<out>/a/b.reanimate.mp4`: the source tree mirrored. */
export function mirroredOutput(
  dir: string,
  outDir: string,
  source: string,
  nameTemplate: string,
): string {
  const rel = path.relative(dir, source)
  const stem = path.basename(rel, path.extname(rel))
  return path.join(outDir, path.dirname(rel), outputName(nameTemplate, stem))
}

/** A file of the folder: a video to render, something to leave alone, or a video that cannot be read. */
export type Candidate =
  | { kind: 'video'; source: string }
  | { kind: 'skip'; source: string; reason: string }
  | { kind: 'invalid'; source: string; error: ErrorInfo }

async function exists(p: string): Promise<boolean> {
  return fs
    .access(p)
    .then(() => true)
    .catch(() => false)
}

/** True when `output` is a finished render of exactly this key (its sidecar says so). */
export async function isDoneOutput(output: string, key: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(`${output}.json`, 'utf8')) as { params_key?: string }
    return meta.params_key === key && (await exists(output))
  } catch {
    return false
  }
}

/** A result Reanimate wrote: its name says so, or its sidecar does. */
export async function isReanimateResult(file: string): Promise<boolean> {
  if (/\.reanimate( \(\d+\))?\.mp4$/i.test(file)) return true
  try {
    const meta = JSON.parse(await fs.readFile(`${file}.json`, 'utf8')) as { app?: unknown }
    return typeof meta.app === 'string' && meta.app.startsWith('Reanimate')
  } catch {
    return false
  }
}

/**
 * Sorts every file of the folder: a video (it probes as one), not a video (skipped), or a file with
 * a video extension that cannot be read (reported). A video extension only decides whether a failed
 * probe is an error or a plain "not a video".
 */
export async function findCandidates(
  options: { dir: string; outDir?: string; recursive: boolean; reportHidden?: boolean },
  media: MediaService,
): Promise<Candidate[]> {
  const hidden: string[] = []
  const files = await scanFolder(options.dir, {
    recursive: options.recursive,
    ...(options.outDir ? { exclude: options.outDir } : {}),
    ...(options.reportHidden ? { hidden } : {}),
  })
  // Probing is the slow part of planning: a few at a time, results kept in folder order.
  const pool = new PQueue({ concurrency: 4 })
  // Reanimate's own results (beside their sources, from `run`) are not clips to restyle again.
  const results = new Set<string>()
  for (const f of files) if (await isReanimateResult(f)) results.add(f)
  const probes = new Map(
    files.filter((f) => !results.has(f)).map((f) => [f, pool.add(() => media.probe(f))]),
  )
  for (const p of probes.values()) p.catch(() => undefined)
  const out: Candidate[] = []
  for (const source of files) {
    if (results.has(source)) {
      out.push({ kind: 'skip', source, reason: 'a Reanimate result' })
      continue
    }
    const videoExt = isVideoName(path.basename(source))
    try {
      await probes.get(source)
      out.push({ kind: 'video', source })
    } catch (err) {
      if (videoExt) out.push({ kind: 'invalid', source, error: toErrorInfo(err) })
      else out.push({ kind: 'skip', source, reason: 'not a video' })
    }
  }
  for (const source of hidden.sort())
    out.push({ kind: 'skip', source, reason: 'a hidden or system file' })
  return out
}

export interface SummaryRow {
  source: string
  status: 'succeeded' | 'failed' | 'skipped'
  output?: string
  error?: string
  requestId?: string
  /** How this run got it: rendered now, already there, collected from fal, copied. */
  note?: string
}

export function summaryCsv(rows: SummaryRow[]): string {
  const lines = [
    'source,status,output,error,request_id,note',
    ...rows.map((r) =>
      [r.source, r.status, r.output, r.error, r.requestId, r.note].map(csvCell).join(','),
    ),
  ]
  return lines.join('\n') + '\n'
}

/** `<out-dir>/reanimate-summary.json` and `.csv`: every file, its output or its error. */
export async function writeSummary(
  outDir: string,
  summary: { rows: SummaryRow[]; [k: string]: unknown },
): Promise<{ json: string; csv: string }> {
  const json = path.join(outDir, 'reanimate-summary.json')
  const csv = path.join(outDir, 'reanimate-summary.csv')
  await writeJsonAtomic(json, summary)
  await writeTextAtomic(csv, summaryCsv(summary.rows))
  return { json, csv }
}
