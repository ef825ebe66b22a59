import fs from 'node:fs/promises'
import type { WrittenVideo } from './written-check'

/**
 * What an MP4 holds, read from its sample table instead of starting ffprobe (about 0.25 s of CPU
 * each on a dynamically linked build; a batch checks three files per clip). Every sample's bytes
 * are located inside the file, so a file cut short is not counted whole. Only the plain shape
 * ffmpeg writes is accepted; anything else (fragments, unusual edit lists, several video tracks,
 * variable frame rate) gives null and the caller asks ffprobe.
 */

/** A moov larger than this is not read into memory here (ffprobe handles it). */
const MAX_MOOV_BYTES = 32 * 1024 * 1024
/** fal's result is untrusted: a file of thousands of top-level boxes is not walked here. */
const MAX_TOP_LEVEL_BOXES = 64

interface Box {
  type: string
  /** Where the payload starts and ends, relative to the buffer or file walked. */
  start: number
  end: number
}

class Unsupported extends Error {}

const fail = (why: string): never => {
  throw new Unsupported(why)
}

/** The boxes directly inside [start, end); throws when one runs past `end`. */
function children(buf: Buffer, start: number, end: number): Box[] {
  const boxes: Box[] = []
  let at = start
  while (at < end) {
    if (end - at < 8) fail('box header cut off')
    let size = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    let header = 8
    if (size === 1) {
      if (end - at < 16) fail('box header cut off')
      size = Number(buf.readBigUInt64BE(at + 8))
      header = 16
    } else if (size === 0) size = end - at
    if (size < header || at + size > end) fail(`${type} box runs past its parent`)
    boxes.push({ type, start: at + header, end: at + size })
    at += size
  }
  return boxes
}

function only(boxes: Box[], type: string): Box | undefined {
  const found = boxes.filter((b) => b.type === type)
  if (found.length > 1) fail(`more than one ${type}`)
  return found[0]
}

function need(boxes: Box[], type: string): Box {
  return only(boxes, type) ?? fail(`no ${type}`)
}

const inside = (buf: Buffer, box: Box) => children(buf, box.start, box.end)

/** A full box's payload after version and flags, with its version. */
function full(buf: Buffer, box: Box): { version: number; at: number } {
  if (box.end - box.start < 4) fail('full box too short')
  return { version: buf[box.start] ?? 0, at: box.start + 4 }
}

/** `count` big-endian entries of `width` bytes each, bounds-checked against the box. */
function table(buf: Buffer, box: Box, at: number, count: number, width: number): number {
  if (at + count * width > box.end) fail('table runs past its box')
  return at
}

/** A full box holding a count, then that many entries of `width` bytes, each read by `read`. */
function entries<T>(buf: Buffer, box: Box, width: number, read: (at: number) => T): T[] {
  const { at } = full(buf, box)
  const count = buf.readUInt32BE(table(buf, box, at, 1, 4))
  table(buf, box, at + 4, count, width)
  return Array.from({ length: count }, (_, i) => read(at + 4 + i * width))
}

interface SampleTables {
  sizes: number[]
  chunkOffsets: number[]
  /** stsc entries: first chunk (1-based), samples per chunk. */
  chunkRuns: { firstChunk: number; samples: number }[]
  /** stts entries. */
  deltas: { count: number; delta: number }[]
  firstCtsOffset: number
}

function sampleTables(buf: Buffer, stbl: Box, mediaBytes: number): SampleTables {
  const boxes = inside(buf, stbl)

  const stsz = need(boxes, 'stsz')
  const { at: head } = full(buf, stsz)
  const fixed = buf.readUInt32BE(table(buf, stsz, head, 2, 4))
  const count = buf.readUInt32BE(head + 4)
  const at = head + 8
  const sizes: number[] = []
  // One size for all: the count is bounded by the media bytes, not by the table (a forged count).
  if (fixed !== 0) {
    if (count * fixed > mediaBytes) fail('more samples than media bytes')
    for (let i = 0; i < count; i++) sizes.push(fixed)
  } else {
    table(buf, stsz, at, count, 4)
    for (let i = 0; i < count; i++) sizes.push(buf.readUInt32BE(at + i * 4))
  }

  const stco = only(boxes, 'stco')
  const co64 = only(boxes, 'co64')
  if (!stco === !co64) fail('chunk offsets missing or doubled')
  const chunkOffsets = stco
    ? entries(buf, stco, 4, (e) => buf.readUInt32BE(e))
    : entries(buf, co64 as Box, 8, (e) => Number(buf.readBigUInt64BE(e)))
  const chunkRuns = entries(buf, need(boxes, 'stsc'), 12, (e) => ({
    firstChunk: buf.readUInt32BE(e),
    samples: buf.readUInt32BE(e + 4),
  }))
  const deltas = entries(buf, need(boxes, 'stts'), 8, (e) => ({
    count: buf.readUInt32BE(e),
    delta: buf.readUInt32BE(e + 4),
  }))

  let firstCtsOffset = 0
  const ctts = only(boxes, 'ctts')
  if (ctts) {
    const c = full(buf, ctts)
    if (buf.readUInt32BE(table(buf, ctts, c.at, 1, 4)) > 0) {
      table(buf, ctts, c.at + 4, 1, 8)
      firstCtsOffset = c.version === 0 ? buf.readUInt32BE(c.at + 8) : buf.readInt32BE(c.at + 8)
    }
  }
  return { sizes, chunkOffsets, chunkRuns, deltas, firstCtsOffset }
}

/** Every sample's byte range, from the chunk offsets and the samples-per-chunk runs. */
function sampleRanges(t: SampleTables): { start: number; end: number }[] {
  const ranges: { start: number; end: number }[] = []
  let sample = 0
  t.chunkRuns.forEach((run, i) => {
    const next = t.chunkRuns[i + 1]?.firstChunk ?? t.chunkOffsets.length + 1
    if (run.firstChunk < 1 || next <= run.firstChunk) fail('chunk runs out of order')
    for (let chunk = run.firstChunk; chunk < next; chunk++) {
      let offset = t.chunkOffsets[chunk - 1] ?? fail('chunk offset missing')
      for (let s = 0; s < run.samples; s++) {
        const size = t.sizes[sample++] ?? fail('more samples in chunks than sizes')
        ranges.push({ start: offset, end: offset + size })
        offset += size
      }
    }
  })
  if (sample !== t.sizes.length) fail('sizes left over after the last chunk')
  return ranges
}

/**
 * The first video track of a movie box, measured; `media` is where the file's mdat payloads lie.
 * Pure: takes the moov's bytes. Null when the file is not of the plain shape read here.
 */
export function measureMovie(
  moov: Buffer,
  media: { start: number; end: number }[],
): WrittenVideo | null {
  try {
    return measure(moov, media)
  } catch (err) {
    if (err instanceof Unsupported || err instanceof RangeError) return null
    throw err
  }
}

function measure(buf: Buffer, media: { start: number; end: number }[]): WrittenVideo {
  const movie = children(buf, 0, buf.length)
  const moov = need(movie, 'moov')
  const inMoov = inside(buf, moov)
  if (only(inMoov, 'mvex')) fail('fragmented')
  const mvhd = full(buf, need(inMoov, 'mvhd'))
  const movieScale = buf.readUInt32BE(mvhd.at + (mvhd.version === 1 ? 16 : 8))

  const videos = inMoov
    .filter((b) => b.type === 'trak')
    .map((trak) => ({ trak, boxes: inside(buf, trak) }))
    .filter(({ boxes }) => {
      const hdlr = full(buf, need(inside(buf, need(boxes, 'mdia')), 'hdlr'))
      return buf.toString('latin1', hdlr.at + 4, hdlr.at + 8) === 'vide'
    })
  if (videos.length !== 1) fail('not exactly one video track')
  const { boxes } = videos[0] as { boxes: Box[] }
  const mdia = inside(buf, need(boxes, 'mdia'))
  const mdhd = full(buf, need(mdia, 'mdhd'))
  const scale = buf.readUInt32BE(mdhd.at + (mdhd.version === 1 ? 16 : 8))
  const duration =
    mdhd.version === 1 ? Number(buf.readBigUInt64BE(mdhd.at + 20)) : buf.readUInt32BE(mdhd.at + 12)
  if (scale === 0 || movieScale === 0) fail('no timescale')
  const stbl = need(inside(buf, need(mdia, 'minf')), 'stbl')

  const stsd = need(inside(buf, stbl), 'stsd')
  const sd = full(buf, stsd)
  if (buf.readUInt32BE(sd.at) !== 1) fail('not exactly one sample description')
  const entry = children(buf, sd.at + 4, stsd.end)[0] ?? fail('no sample description')
  if (entry.end - entry.start < 28) fail('sample description too short')
  const width = buf.readUInt16BE(entry.start + 24)
  const height = buf.readUInt16BE(entry.start + 26)

  const t = sampleTables(
    buf,
    stbl,
    media.reduce((sum, m) => sum + m.end - m.start, 0),
  )
  if (t.sizes.length === 0) fail('no samples')
  // Constant frame rate only (the last entry may differ: the final frame's length is a guess).
  const steady = t.deltas.filter((d, i) => d.count > 0 && i < t.deltas.length - 1)
  const delta = (steady[0] ?? t.deltas[0])?.delta ?? fail('no timing')
  if (delta === 0 || steady.some((d) => d.delta !== delta)) fail('variable frame rate')

  editsKeepEverySample(buf, boxes, { scale, movieScale, duration, first: t.firstCtsOffset, delta })

  for (const r of sampleRanges(t))
    if (r.end <= r.start || !media.some((m) => r.start >= m.start && r.end <= m.end))
      fail('a sample lies outside the media data')

  return {
    frames: t.sizes.length,
    width,
    height,
    durationSec: duration / scale,
    fps: scale / delta,
  }
}

/**
 * An edit list that only shifts the start by the decoder delay (what ffmpeg writes for B-frames),
 * optionally after an empty edit, keeps every sample. Anything else could hide or repeat samples
 * on playback and demuxing, so it is left to ffprobe.
 */
function editsKeepEverySample(
  buf: Buffer,
  trak: Box[],
  t: { scale: number; movieScale: number; duration: number; first: number; delta: number },
): void {
  const edts = only(trak, 'edts')
  if (!edts) return
  const elst = need(inside(buf, edts), 'elst')
  const { version, at } = full(buf, elst)
  const count = buf.readUInt32BE(table(buf, elst, at, 1, 4))
  const width = version === 1 ? 20 : 12
  table(buf, elst, at + 4, count, width)
  const edits = Array.from({ length: count }, (_, i) => {
    const e = at + 4 + i * width
    return version === 1
      ? {
          duration: Number(buf.readBigUInt64BE(e)),
          mediaTime: Number(buf.readBigInt64BE(e + 8)),
          rate: buf.readInt32BE(e + 16),
        }
      : {
          duration: buf.readUInt32BE(e),
          mediaTime: buf.readInt32BE(e + 4),
          rate: buf.readInt32BE(e + 8),
        }
  })
  const real = edits.filter((e) => e.mediaTime !== -1)
  if (real.length !== 1 || edits.indexOf(real[0] as (typeof edits)[number]) !== edits.length - 1)
    fail('edit list with several edits')
  const edit = real[0] as (typeof edits)[number]
  if (edit.rate !== 0x10000) fail('edit plays at another rate')
  if (edit.mediaTime > t.first) fail('edit starts after the first frame')
  const covers = (edit.duration * t.scale) / t.movieScale
  if (edit.duration !== 0 && covers < t.duration - edit.mediaTime - t.delta)
    fail('edit ends before the last frame')
}

/**
 * Reads `file`'s top-level boxes and its moov; null when it is not an MP4 of the shape above, so
 * the caller measures it with ffprobe.
 */
export async function readMp4Video(file: string): Promise<WrittenVideo | null> {
  // A file that cannot be opened is left to ffprobe too, so its message is the one users see.
  const handle = await fs.open(file, 'r').catch(() => null)
  if (!handle) return null
  try {
    const { size } = await handle.stat()
    const head = Buffer.alloc(16)
    const media: { start: number; end: number }[] = []
    let moov: { at: number; size: number } | null = null
    let at = 0
    for (let boxes = 0; at < size; boxes++) {
      if (boxes === MAX_TOP_LEVEL_BOXES) return null
      const { bytesRead } = await handle.read(head, 0, 16, at)
      if (bytesRead < 8) return null
      let boxSize = head.readUInt32BE(0)
      const type = head.toString('latin1', 4, 8)
      let header = 8
      if (boxSize === 1) {
        if (bytesRead < 16) return null
        boxSize = Number(head.readBigUInt64BE(8))
        header = 16
      } else if (boxSize === 0) boxSize = size - at
      if (boxSize < header || at + boxSize > size) return null
      if (at === 0 && type !== 'ftyp') return null
      if (type === 'moof' || type === 'mfra') return null
      if (type === 'mdat') media.push({ start: at + header, end: at + boxSize })
      if (type === 'moov') {
        if (moov || boxSize > MAX_MOOV_BYTES) return null
        moov = { at, size: boxSize }
      }
      at += boxSize
    }
    if (!moov) return null
    const buf = Buffer.alloc(moov.size)
    const { bytesRead } = await handle.read(buf, 0, moov.size, moov.at)
    if (bytesRead !== moov.size) return null
    return measureMovie(buf, media)
  } catch {
    return null // a read error: ffprobe's turn
  } finally {
    await handle.close()
  }
}
