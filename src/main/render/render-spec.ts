import fs from 'node:fs/promises'
import path from 'node:path'
import {
  describeIssue,
  isLocalLora,
  parseRenderParams,
  type EndpointId,
  type RenderParams,
} from '../../shared/endpoints'
import { AppError } from '../../shared/errors'
import type { JobSpec } from '../../shared/jobs'
import { paramName, type NameStyle } from '../../shared/param-names'
import { CROSSFADE_FRAMES, crossfadeSpan } from '../../shared/frames'
import { fileIdentity } from '../media/identity'
import { specKey } from '../jobs/spec-key'

/**
 * Checks render parameters against the endpoint's schema. The first problem becomes the error,
 * naming the field as this reader knows it: "--steps must be …" (CLI), "Steps must be …" (app),
 * "params.num_inference_steps must be …" (a preset file). `field` keeps fal's name for code.
 */
export function validParams(
  endpoint: EndpointId,
  raw: unknown,
  names: NameStyle,
  where = '',
): RenderParams {
  const parsed = parseRenderParams(endpoint, raw)
  if (parsed.ok) return parsed.params
  const first = parsed.issues[0]
  const message = first ? describeIssue(first, names) : 'invalid parameters'
  throw new AppError('invalid-params', where ? `${where}: ${message}` : message, {
    field: first?.field ?? 'params',
  })
}

/**
 * Local LoRA files must exist. `resolve` turns what the user gave into a usable absolute path (the
 * CLI: relative to the working folder; the app: only files the user picked). Returns the params
 * with resolved paths and each local file's identity, so an edited LoRA file is a new render.
 */
export async function resolveLoras(
  params: RenderParams,
  names: NameStyle,
  resolve: (p: string) => string,
): Promise<{ params: RenderParams; identities: string[] }> {
  const identities: string[] = []
  const loras = []
  for (const [i, lora] of params.loras.entries()) {
    if (!isLocalLora(lora.path)) {
      loras.push(lora)
      continue
    }
    const field = `loras.${i}.path`
    const file = resolve(lora.path)
    const st = await fs.stat(file).catch(() => null)
    if (!st?.isFile())
      throw new AppError(
        'not-found',
        `${paramName(field, names)}: ${file} ${st ? 'is not a file' : 'does not exist'}`,
        { field, file },
      )
    identities.push(await fileIdentity(file))
    loras.push({ ...lora, path: file })
  }
  return { params: { ...params, loras }, identities }
}

export interface SpecInput {
  source: string
  range: { startSec: number; endSec?: number }
  endpoint: EndpointId
  /** Raw parameters (validated here) or, with `validated`, already checked ones. */
  params: unknown
  segments?: { startSec: number; endSec: number; params: unknown }[]
  /**
   * Blend each border between segments over this many result frames, rendered as overlap (0 or
   * absent: a hard cut). `fps` is the source's encoding rate, which the render service reads.
   */
  crossfade?: { frames: number; fps: number }
  maxSide: number | 'original'
  fps: 'result' | 'source'
  names: NameStyle
  resolveLocal: (p: string) => string
}

/** Segments follow each other without gaps or overlaps, from the range's start to its end. */
export function checkSegments(
  segments: { startSec: number; endSec: number }[],
  range: { startSec: number; endSec?: number },
): void {
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6
  const fail = (message: string) => {
    throw new AppError('invalid-params', message, { field: 'segments' })
  }
  segments.forEach((seg, i) => {
    const name = `Segment ${i + 1}`
    if (!(seg.endSec > seg.startSec))
      fail(`${name} ends (${seg.endSec} s) before it starts (${seg.startSec} s).`)
    const expected = i === 0 ? range.startSec : (segments[i - 1] as { endSec: number }).endSec
    if (!near(seg.startSec, expected))
      fail(
        i === 0
          ? `${name} starts at ${seg.startSec} s, not where the range starts (${expected} s).`
          : `${name} starts at ${seg.startSec} s but segment ${i} ends at ${expected} s: segments follow each other without gaps.`,
      )
  })
  const last = segments.at(-1)
  if (last && range.endSec !== undefined && !near(last.endSec, range.endSec))
    fail(`The last segment ends at ${last.endSec} s, not where the range ends (${range.endSec} s).`)
}

/**
 * The segments' render ranges with a crossfade: each inner border is rendered twice, by the
 * segment before (past its end) and the one after (ahead of its start), and the finishing step
 * blends the two over that overlap. Every segment must hold a whole blend and use the same Nth
 * frame, so both sides of a blend have the same frame rate.
 */
export function overlapRanges(
  segments: { startSec: number; endSec: number; nth: number }[],
  frames: number,
  fps: number,
  names: NameStyle,
): { ranges: { startSec: number; endSec: number }[]; crossfadeSec: number } {
  const ranges = segments.map((s) => ({ startSec: s.startSec, endSec: s.endSec }))
  const control = paramName('crossfade_frames', names)
  const nthName = paramName('select_every_nth_frame', names)
  const fail = (message: string): never => {
    throw new AppError('invalid-params', message, { field: 'crossfade_frames' })
  }
  const { min, max } = CROSSFADE_FRAMES
  if (!Number.isInteger(frames) || frames < min || frames > max)
    fail(`${control} must be a whole number of frames from ${min} to ${max} (got ${frames})`)
  const first = segments[0]
  if (segments.length < 2 || !first || frames === 0) return { ranges, crossfadeSec: 0 }
  segments.forEach((s, i) => {
    if (s.nth !== first.nth)
      fail(
        `${control} needs the same ${nthName} in every segment (segment 1 uses ${first.nth}, segment ${i + 1} uses ${s.nth}); set ${control} to 0 or make them equal.`,
      )
  })
  const span = crossfadeSpan(frames, fps, first.nth)
  segments.forEach((s, i) => {
    const length = s.endSec - s.startSec
    if (length + 1e-6 < span.totalSec)
      fail(
        `${control} (${frames} frames, ${span.totalSec.toFixed(2)} s) is longer than segment ${i + 1} (${length.toFixed(2)} s); lower ${control} or merge that segment.`,
      )
  })
  return {
    ranges: ranges.map((r, i) => ({
      startSec: i > 0 ? r.startSec - span.beforeSec : r.startSec,
      endSec: i < ranges.length - 1 ? r.endSec + span.afterSec : r.endSec,
    })),
    crossfadeSec: span.totalSec,
  }
}

/**
 * The job spec for a request, with its key: what identifies "the same render" (the source as it is
 * now, range, endpoint, parameters, size, fps, segments and local LoRA files). `output` is left for
 * the caller to decide.
 */
export async function buildSpec(
  input: SpecInput,
): Promise<{ base: Omit<JobSpec, 'output'>; segments: Omit<JobSpec, 'output'>[] }> {
  const checked = await resolveLoras(
    validParams(input.endpoint, input.params, input.names),
    input.names,
    input.resolveLocal,
  )
  const base = {
    source: input.source,
    range: input.range,
    endpoint: input.endpoint,
    params: checked.params,
    maxSide: input.maxSide,
    fps: input.fps,
  }
  checkSegments(input.segments ?? [], input.range)
  const segments: Omit<JobSpec, 'output'>[] = []
  const identities = [...checked.identities]
  for (const [i, s] of (input.segments ?? []).entries()) {
    const seg = await resolveLoras(
      validParams(input.endpoint, s.params, input.names, `Segment ${i + 1}`),
      input.names,
      input.resolveLocal,
    )
    identities.push(...seg.identities)
    segments.push({
      ...base,
      range: { startSec: s.startSec, endSec: s.endSec },
      params: seg.params,
    })
  }
  if (input.crossfade && segments.length > 1) {
    const { ranges, crossfadeSec } = overlapRanges(
      segments.map((s) => ({
        startSec: s.range.startSec,
        endSec: s.range.endSec as number,
        nth: s.params.select_every_nth_frame,
      })),
      input.crossfade.frames,
      input.crossfade.fps,
      input.names,
    )
    segments.forEach((s, i) => (s.range = ranges[i] ?? s.range))
    if (crossfadeSec > 0) Object.assign(base, { crossfadeSec })
  }
  const source = await fileIdentity(input.source).catch(() => {
    throw new AppError('not-found', `${path.basename(input.source)}: file not found`, {
      file: input.source,
    })
  })
  const extra = [
    ...(segments.length > 1 ? [segments.map((s) => [s.range, s.params])] : []),
    ...identities,
  ]
  return { base: { ...base, key: specKey(base, source, extra) }, segments }
}
