import { SEED_MAX, type EndpointId } from '../endpoints'
import { framesIn, resultFrames } from '../frames'

/**
 * The editor's document, in source seconds: clips with a trim range, segments over that range
 * and takes. Pure functions only; the renderer's store, project files and `reanimate render`
 * share them.
 */

/** Parameters as typed, under fal's names; a field left out means "inherit" (or fal's default). */
export interface ParamsDraft {
  prompt?: string
  negative_prompt?: string
  num_inference_steps?: number
  guidance_scale?: number
  select_every_nth_frame?: number
  seed?: number
  loras?: { path: string; scale?: number }[]
  base_model?: string
}
export type ParamField = keyof ParamsDraft

export interface Segment {
  start: number
  end: number
  /** Only what differs from the clip. */
  params: ParamsDraft
}

export interface Take {
  jobId: string
  output: string
  seed?: number
  createdAt: string
}

export interface ClipDoc {
  id: string
  path: string
  in: number
  out: number
  endpoint: EndpointId
  params: ParamsDraft
  /** Empty: one segment over [in, out) with the clip's parameters. Else they cover it, in order. */
  segments: Segment[]
  /** Blend each border between segments over this many result frames; absent or 0 = hard cut. */
  crossfadeFrames?: number
  takes: Take[]
  /**
   * The seed's "control after generate". Locked (absent or true, the default): every Render uses
   * the seed as it is, so the identical render is collected, never paid twice. false: every Render
   * first draws a fresh seed into the document, so each take's seed is there to reproduce it.
   */
  seedLocked?: boolean
}

/** Absent means locked: projects written before the lock existed keep rendering the same seed. */
export function isSeedLocked(clip: Pick<ClipDoc, 'seedLocked'>): boolean {
  return clip.seedLocked !== false
}

/** A seed fal accepts: a whole number from 0 to SEED_MAX. */
export function randomSeed(): number {
  return Math.floor(Math.random() * (SEED_MAX + 1))
}

/**
 * An unlocked clip before a Render: a fresh seed for the clip, and for each segment that sets a
 * seed of its own (a segment inheriting the clip's seed gets the clip's new one).
 */
export function reseed(clip: ClipDoc, draw: () => number = randomSeed): ClipDoc {
  return {
    ...clip,
    params: { ...clip.params, seed: draw() },
    segments: clip.segments.map((s) =>
      s.params.seed === undefined ? s : { ...s, params: { ...s.params, seed: draw() } },
    ),
  }
}

/** The clip's segments as the timeline shows them: always at least one, covering [in, out). */
export function segmentsOf(clip: Pick<ClipDoc, 'in' | 'out' | 'segments'>): Segment[] {
  return clip.segments.length ? clip.segments : [{ start: clip.in, end: clip.out, params: {} }]
}

/** The nearest frame boundary; times are kept on frames so cuts land where the player shows them. */
export function snapToFrame(t: number, fps: number): number {
  return Math.round(t * fps) / fps
}

/** The segment holding time `t` (the last one at `out`), by index. */
export function segmentIndexAt(clip: Pick<ClipDoc, 'in' | 'out' | 'segments'>, t: number): number {
  const segs = segmentsOf(clip)
  const i = segs.findIndex((s) => t >= s.start && t < s.end)
  return i === -1 ? (t < clip.in ? 0 : segs.length - 1) : i
}

/**
 * One segment left: its overrides become the clip's, so what renders is unchanged and the
 * inspector, which edits the clip when there is one segment, shows them.
 */
function collapse(clip: ClipDoc, segs: Segment[]): ClipDoc {
  if (segs.length > 1) return { ...clip, segments: segs }
  return { ...clip, params: { ...clip.params, ...segs[0]?.params }, segments: [] }
}

/**
 * Splits the segment under `t` at the frame nearest it. Both halves keep its overrides. Nothing
 * changes when that would leave a side without a frame.
 */
export function splitAt(clip: ClipDoc, t: number, fps: number): ClipDoc {
  const at = snapToFrame(t, fps)
  const segs = segmentsOf(clip)
  const i = segs.findIndex((s) => at > s.start && at < s.end)
  const seg = segs[i]
  if (!seg || at - seg.start < 1 / fps - 1e-9 || seg.end - at < 1 / fps - 1e-9) return clip
  const halves = [
    { ...seg, end: at, params: { ...seg.params } },
    { ...seg, start: at, params: { ...seg.params } },
  ]
  return { ...clip, segments: [...segs.slice(0, i), ...halves, ...segs.slice(i + 1)] }
}

/** Removes border `b` (between segment b and b+1): the left segment takes the whole span. */
export function mergeBorder(clip: ClipDoc, b: number): ClipDoc {
  const segs = segmentsOf(clip)
  const left = segs[b]
  const right = segs[b + 1]
  if (!left || !right) return clip
  return collapse(clip, [...segs.slice(0, b), { ...left, end: right.end }, ...segs.slice(b + 2)])
}

/** Moves border `b` to the frame nearest `t`, keeping at least one frame on each side. */
export function moveBorder(clip: ClipDoc, b: number, t: number, fps: number): ClipDoc {
  const segs = segmentsOf(clip)
  const left = segs[b]
  const right = segs[b + 1]
  if (!left || !right) return clip
  const frame = 1 / fps
  const at = Math.min(
    Math.max(snapToFrame(t, fps), snapToFrame(left.start + frame, fps)),
    snapToFrame(right.end - frame, fps),
  )
  if (at <= left.start || at >= right.end) return clip
  const next = segs.slice()
  next[b] = { ...left, end: at }
  next[b + 1] = { ...right, start: at }
  return { ...clip, segments: next }
}

/**
 * A new trim range, snapped to frames and kept inside [0, duration] with at least one frame.
 * Segments outside it go; the first and last are cut to it.
 */
export function setRange(
  clip: ClipDoc,
  range: { in?: number; out?: number },
  fps: number,
  durationSec: number,
): ClipDoc {
  const frame = 1 / fps
  const end = snapToFrame(durationSec, fps) || durationSec
  let inT = Math.min(Math.max(0, snapToFrame(range.in ?? clip.in, fps)), end - frame)
  let outT = Math.min(end, Math.max(snapToFrame(range.out ?? clip.out, fps), frame))
  if (outT - inT < frame - 1e-9) {
    // The moved handle gives way to the other one.
    if (range.in !== undefined) inT = Math.max(0, outT - frame)
    else outT = Math.min(end, inT + frame)
  }
  const segs = segmentsOf(clip)
    .filter((s) => s.end > inT + 1e-9 && s.start < outT - 1e-9)
    .map((s) => ({ ...s, start: Math.max(s.start, inT), end: Math.min(s.end, outT) }))
  if (segs[0]) segs[0] = { ...segs[0], start: inT }
  const last = segs.at(-1)
  if (last) segs[segs.length - 1] = { ...last, end: outT }
  return collapse(
    { ...clip, in: inT, out: outT },
    segs.length ? segs : [{ start: inT, end: outT, params: {} }],
  )
}

/** The parameters a segment renders with: the clip's, then its own overrides. */
export function effectiveParams(clip: Pick<ClipDoc, 'params'>, seg?: Segment): ParamsDraft {
  return { ...clip.params, ...seg?.params }
}

/** Sets (or, with undefined, resets to the clip's) one field of segment `i`. */
export function setSegmentParam<K extends ParamField>(
  clip: ClipDoc,
  i: number,
  field: K,
  value: ParamsDraft[K] | undefined,
): ClipDoc {
  const segs = segmentsOf(clip)
  const seg = segs[i]
  if (!seg || segs.length < 2) return clip
  const params: ParamsDraft =
    value === undefined
      ? Object.fromEntries(Object.entries(seg.params).filter(([k]) => k !== field))
      : { ...seg.params, [field]: value }
  const next = segs.slice()
  next[i] = { ...seg, params }
  return { ...clip, segments: next }
}

/** What fal renders for a segment: its frames at the source rate, then every nth of them. */
export function segmentOutputFrames(seg: Pick<Segment, 'start' | 'end'>, fps: number, nth: number) {
  return resultFrames(framesIn(seg.end - seg.start, fps), nth)
}

/** Fields left empty are left out: fal's defaults apply. */
function defined(p: ParamsDraft): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== ''))
}

/**
 * The `render.start` request for a clip: its range, its parameters, and one segment per part of
 * the timeline with that part's parameters. One segment renders as a plain range.
 */
export function renderRequestOf(clip: ClipDoc, again = false) {
  const segs = segmentsOf(clip)
  return {
    path: clip.path,
    range: { startSec: clip.in, endSec: clip.out },
    endpoint: clip.endpoint,
    params: defined(clip.params),
    ...(segs.length > 1
      ? {
          segments: segs.map((s) => ({
            startSec: s.start,
            endSec: s.end,
            params: defined(effectiveParams(clip, s)),
          })),
          ...(clip.crossfadeFrames ? { crossfadeFrames: clip.crossfadeFrames } : {}),
        }
      : {}),
    again,
  }
}
