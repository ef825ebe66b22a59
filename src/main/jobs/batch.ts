import fs from 'node:fs/promises'
import path from 'node:path'
import PQueue from 'p-queue'
import type { ErrorInfo } from '../../shared/errors'
import { toErrorInfo } from '../../shared/errors'
import type { Job, JobSpec } from '../../shared/jobs'
import type { Preset } from '../../shared/presets'
import { fileIdentity } from '../media/identity'
import type { MediaService } from '../media/media-service'
import { writeJsonAtomic } from '../storage/json-file'
import { specKey } from './spec-key'

export const VIDEO_EXTENSIONS = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.wmv',
  '.flv',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.3gp',
  '.gif',
  '.mxf',
  '.dv',
  '.ogv',
])
const SYSTEM_FILES = new Set([
  'thumbs.db',
  'desktop.ini',
  'icon\r',
  '$recycle.bin',
  'system volume information',
])

/** Hidden (dot) files and folders and OS litter are never batch candidates. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || SYSTEM_FILES.has(name.toLowerCase())
}

/** Every file under `dir` (optionally recursive), sorted, leaving out `exclude` (an out-dir inside dir). */
export async function scanFolder(
  dir: string,
  options: { recursive: boolean; exclude?: string },
): Promise<string[]> {
  const out: string[] = []
  const exclude = options.exclude ? path.resolve(options.exclude) : null
  async function walk(d: string): Promise<void> {
    const entries = await fs.readdir(d, { withFileTypes: true })
    entries.sort((a, b) => a.name.localeCompare(b.name))
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue
      const full = path.join(d, e.name)
      if (exclude && (full === exclude || full.startsWith(exclude + path.sep))) continue
      if (e.isDirectory()) {
        if (options.recursive) await walk(full)
      } else if (e.isFile()) out.push(full)
    }
  }
  await walk(path.resolve(dir))
  return out
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
  const name = nameTemplate.replaceAll('{stem}', stem).replace(/[\\/]/g, '_')
  return path.join(outDir, path.dirname(rel), `${name}.mp4`)
}

export type PlanEntry =
  | { kind: 'render'; source: string; spec: JobSpec }
  | { kind: 'skip'; source: string; reason: string }
  | { kind: 'invalid'; source: string; error: ErrorInfo }

export interface BatchOptions {
  dir: string
  outDir: string
  recursive: boolean
  preset: Preset
  maxSide: number | 'original'
}

async function exists(p: string): Promise<boolean> {
  return fs
    .access(p)
    .then(() => true)
    .catch(() => false)
}

/** True when `output` is a finished render of exactly this key (its sidecar says so). */
async function isDoneOutput(output: string, key: string): Promise<boolean> {
  try {
    const meta = JSON.parse(await fs.readFile(`${output}.json`, 'utf8')) as { params_key?: string }
    return meta.params_key === key && (await exists(output))
  } catch {
    return false
  }
}

/**
 * Decides what to do with every file: render it, skip it (not a video, or already rendered with these
 * parameters) or report it (a video file that cannot be read). Files are recognised by probing; a
 * video extension only decides whether a failed probe is an error or a plain "not a video".
 */
export async function planBatch(
  options: BatchOptions,
  media: MediaService,
  known: Job[],
): Promise<PlanEntry[]> {
  const files = await scanFolder(options.dir, {
    recursive: options.recursive,
    exclude: options.outDir,
  })
  // Probing is the slow part of planning: a few at a time, results kept in folder order.
  const pool = new PQueue({ concurrency: 4 })
  const probes = new Map(files.map((f) => [f, pool.add(() => media.probe(f))]))
  for (const p of probes.values()) p.catch(() => undefined)
  const plan: PlanEntry[] = []
  const claimed = new Set<string>()
  for (const source of files) {
    const videoExt = VIDEO_EXTENSIONS.has(path.extname(source).toLowerCase())
    try {
      await probes.get(source)
    } catch (err) {
      if (videoExt) plan.push({ kind: 'invalid', source, error: toErrorInfo(err) })
      else plan.push({ kind: 'skip', source, reason: 'not a video' })
      continue
    }
    const base = {
      source,
      range: { startSec: 0 },
      endpoint: options.preset.endpoint,
      params: options.preset.params,
      maxSide: options.maxSide,
      fps: options.preset.fps,
    }
    const key = specKey(base, await fileIdentity(source))
    const previous = known.find((j) => j.spec.key === key && !j.parentId)
    if (previous) {
      plan.push({ kind: 'render', source, spec: previous.spec })
      claimed.add(previous.spec.output)
      continue
    }
    const wanted = mirroredOutput(options.dir, options.outDir, source, options.preset.nameTemplate)
    if (await isDoneOutput(wanted, key)) {
      plan.push({
        kind: 'skip',
        source,
        reason: `already rendered: ${path.relative(options.outDir, wanted)}`,
      })
      continue
    }
    // Changed parameters render beside the old output: count up instead of replacing anything.
    let output = wanted
    for (let n = 2; output === source || claimed.has(output) || (await exists(output)); n++) {
      output = wanted.replace(/\.mp4$/, ` (${n}).mp4`)
    }
    claimed.add(output)
    plan.push({ kind: 'render', source, spec: { ...base, output, key } })
  }
  return plan
}

export interface SummaryRow {
  source: string
  status: 'succeeded' | 'failed' | 'skipped'
  output?: string
  error?: string
  requestId?: string
}

function csvCell(v: string | undefined): string {
  const s = v ?? ''
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function summaryCsv(rows: SummaryRow[]): string {
  const lines = [
    'source,status,output,error,request_id',
    ...rows.map((r) => [r.source, r.status, r.output, r.error, r.requestId].map(csvCell).join(',')),
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
  const tmp = `${csv}.${process.pid}.tmp`
  await fs.writeFile(tmp, summaryCsv(summary.rows))
  await fs.rename(tmp, csv)
  return { json, csv }
}
