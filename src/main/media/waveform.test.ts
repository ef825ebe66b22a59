import { describe, expect, it } from 'vitest'
import { peaksOf, planWaveform } from './waveform'

/** 16-bit LE mono PCM from sample values. */
const pcm = (samples: number[]) => {
  const b = new Uint8Array(samples.length * 2)
  const v = new DataView(b.buffer)
  samples.forEach((s, i) => v.setInt16(i * 2, s, true))
  return b
}

describe('waveform', () => {
  it('reads the first audio track as mono 16-bit PCM at a low rate', () => {
    expect(planWaveform('/c/a.mov', '/cache/x.pcm')).toEqual([
      '-i',
      '/c/a.mov',
      '-map',
      '0:a:0',
      '-ac',
      '1',
      '-ar',
      '4000',
      '-f',
      's16le',
      '-acodec',
      'pcm_s16le',
      '/cache/x.pcm',
    ])
  })

  it('gives the loudest sample of each bucket, 0..1, over the range asked', () => {
    // 1 s at 8 samples/s: quiet first half, loud (negative too) second half.
    const data = pcm([0, 100, -200, 50, 32767, -32768, 16384, 0])
    expect(peaksOf(data, { startSec: 0, endSec: 1 }, 2, 8)).toEqual([200 / 32767, 1])
    expect(peaksOf(data, { startSec: 0.5, endSec: 1 }, 2, 8)).toEqual([1, 16384 / 32767])
    expect(peaksOf(data, { startSec: 0, endSec: 1 }, 4, 8).map((p) => Math.round(p * 100))).toEqual(
      [0, 1, 100, 50],
    )
  })

  it('is silent past the end of the audio', () => {
    expect(peaksOf(pcm([1000, 1000]), { startSec: 0, endSec: 2 }, 4, 1)).toEqual([
      1000 / 32767,
      1000 / 32767,
      0,
      0,
    ])
  })
})
