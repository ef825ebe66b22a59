/** The audio waveform the timeline draws: the first audio track, mono, at a low rate, as peaks. */

/** Samples per second read from the audio: plenty for peaks at any zoom the timeline offers. */
export const WAVEFORM_RATE = 4000

export function planWaveform(file: string, output: string): string[] {
  // prettier-ignore
  return [
    '-i', file,
    '-map', '0:a:0',
    '-ac', '1',
    '-ar', String(WAVEFORM_RATE),
    '-f', 's16le',
    '-acodec', 'pcm_s16le',
    output,
  ]
}

/**
 * The loudest absolute sample per bucket, 0..1, of 16-bit little-endian mono PCM between
 * `startSec` and `endSec`. Pure.
 */
export function peaksOf(
  pcm: Uint8Array,
  range: { startSec: number; endSec: number },
  buckets: number,
  rate = WAVEFORM_RATE,
): number[] {
  const view = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength)
  const total = Math.floor(pcm.byteLength / 2)
  const first = Math.max(0, Math.floor(range.startSec * rate))
  const last = Math.min(total, Math.ceil(range.endSec * rate))
  const per = Math.max(1, (last - first) / buckets)
  const peaks: number[] = []
  for (let b = 0; b < buckets; b++) {
    const from = first + Math.floor(b * per)
    const to = Math.min(last, first + Math.floor((b + 1) * per))
    let max = 0
    for (let i = from; i < to; i++) max = Math.max(max, Math.abs(view.getInt16(i * 2, true)))
    peaks.push(Math.min(1, max / 32767))
  }
  return peaks
}
