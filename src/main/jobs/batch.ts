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

/** How many files ahead of the one being yielded are checked and probed: bounded work and memory. */
const LOOK_AHEAD = 16

/** The files a batch of `dir` looks at, in folder order, and (when asked) its hidden ones. */
export async function folderFiles(options: {
  dir: string
  outDir?: string
  recursive: boolean
  reportHidden?: boolean
}): Promise<{ files: string[]; hidden: string[] }> {
  const hidden: string[] = []
  const files = await scanFolder(options.dir, {
    recursive: options.recursive,
    ...(options.outDir ? { exclude: options.outDir } : {}),
    ...(options.reportHidden ? { hidden } : {}),
  })
  return { files, hidden: hidden.sort() }
}

/** Four probes at a time, for a caller with no slot of its own (a preview, a plan). */
function probePool(): <T>(task: () => Promise<T>) => Promise<T> {
  const pool = new PQueue({ concurrency: 4 })
  return (task) => pool.add(task)
}

/**
 * Sorts files, in their order, as it goes: a video (it probes as one), not a video (skipped), or a
 * file with a video extension that cannot be read (reported). A video extension only decides
 * whether a failed probe is an error or a plain "not a video". A file is yielded as soon as its
 * probe (and every earlier one) is in, so a batch starts on the first clips while later ones are
 * still being probed. `hidden` files come last, as skipped.
 */
export async function* sortFiles(
  files: readonly string[],
  hidden: readonly string[],
  media: MediaService,
  /**
   * Where a probe runs. A running batch passes the runner's spare ffmpeg slot, so probing the next
   * clips never delays preparing or finishing the ones already queued (their fal slots wait on it).
   */
  slot?: <T>(task: () => Promise<T>) => Promise<T>,
): AsyncGenerator<Candidate, void, undefined> {
  // Probing is the slow part of planning: a few at a time, a bounded window ahead of the reader.
  const run = slot ?? probePool()
  // The checks started, by index; each is dropped once yielded (only the window stays in memory).
  const checks = new Map<number, Promise<Candidate>>()
  let started = 0
  const check = async (source: string): Promise<Candidate> => {
    // Reanimate's own results (beside their sources, from `run`) are not clips to restyle again.
    if (await isReanimateResult(source))
      return { kind: 'skip', source, reason: 'a Reanimate result' }
    try {
      await run(() => media.probe(source))
      return { kind: 'video', source }
    } catch (err) {
      if (isVideoName(path.basename(source)))
        return { kind: 'invalid', source, error: toErrorInfo(err) }
      return { kind: 'skip', source, reason: 'not a video' }
    }
  }
  for (let i = 0; i < files.length; i++) {
    for (; started < Math.min(files.length, i + LOOK_AHEAD); started++)
      checks.set(started, check(files[started] as string))
    const candidate = await (checks.get(i) as Promise<Candidate>)
    checks.delete(i)
    yield candidate
  }
  for (const source of hidden) yield { kind: 'skip', source, reason: 'a hidden or system file' }
}

/** Every file of a folder sorted as it goes (see `sortFiles`), hidden ones last when asked. */
export async function* streamCandidates(
  options: { dir: string; outDir?: string; recursive: boolean; reportHidden?: boolean },
  media: MediaService,
): AsyncGenerator<Candidate, void, undefined> {
  const { files, hidden } = await folderFiles(options)
  yield* sortFiles(files, hidden, media)
}

/** Every file of the folder sorted at once (the batch preview): see `streamCandidates`. */
export async function findCandidates(
  options: { dir: string; outDir?: string; recursive: boolean; reportHidden?: boolean },
  media: MediaService,
): Promise<Candidate[]> {
  const out: Candidate[] = []
  for await (const c of streamCandidates(options, media)) out.push(c)
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
