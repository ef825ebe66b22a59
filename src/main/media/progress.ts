/**
 * Pure parsing of `ffmpeg -progress pipe:1 -nostats` output: blocks of `key=value` lines, each
 * ending with `progress=continue` or `progress=end`.
 */
export interface FfmpegProgressBlock {
  /** Output position in seconds (from out_time_us). */
  outTimeSec: number
  frame: number
  /** Encoding speed as a multiple of real time (`speed=2.5x`), 0 when unknown. */
  speed: number
  done: boolean
}

export function parseProgressBlock(lines: readonly string[]): FfmpegProgressBlock {
  const kv = new Map<string, string>()
  for (const line of lines) {
    const i = line.indexOf('=')
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim())
  }
  // out_time_us is the documented key; old builds wrote microseconds into out_time_ms too.
  const us = Number(kv.get('out_time_us') ?? kv.get('out_time_ms'))
  const speed = Number.parseFloat((kv.get('speed') ?? '').replace(/x$/, ''))
  return {
    outTimeSec: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
    frame: Number(kv.get('frame')) || 0,
    speed: Number.isFinite(speed) && speed > 0 ? speed : 0,
    done: kv.get('progress') === 'end',
  }
}

/** Splits a stream of lines into progress blocks. Feed it lines; it calls back once per block. */
export function progressLineSplitter(
  onBlock: (block: FfmpegProgressBlock) => void,
): (line: string) => void {
  let pending: string[] = []
  return (line: string) => {
    pending.push(line)
    if (line.startsWith('progress=')) {
      onBlock(parseProgressBlock(pending))
      pending = []
    }
  }
}

export interface Progress {
  /** 0..1 */
  fraction: number
  /** Multiple of real time; 0 until known. */
  speed: number
  /** Seconds left; null until the speed has settled, so the UI never shows a wild guess. */
  etaSec: number | null
  elapsedSec: number
}

/**
 * Turns blocks into user-facing progress. The ETA uses the average rate since start and appears only
 * after a few blocks and a few percent, once it is stable.
 */
export class ProgressTracker {
  private blocks = 0

  constructor(
    private readonly totalSec: number,
    private readonly startedAt: number = Date.now(),
  ) {}

  update(block: FfmpegProgressBlock, now: number = Date.now()): Progress {
    this.blocks++
    const elapsedSec = Math.max(0, (now - this.startedAt) / 1000)
    const fraction = block.done
      ? 1
      : this.totalSec > 0
        ? Math.min(1, Math.max(0, block.outTimeSec / this.totalSec))
        : 0
    let etaSec: number | null = null
    if (block.done) etaSec = 0
    else if (this.blocks >= 3 && fraction >= 0.03 && elapsedSec > 0) {
      etaSec = Math.max(0, (elapsedSec / fraction) * (1 - fraction))
    }
    return { fraction, speed: block.speed, etaSec, elapsedSec }
  }
}
