import fs from 'node:fs/promises'
import { peaksOf, planWaveform, WAVEFORM_RATE } from './waveform'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import type {
  MediaProgress,
  PrepareOptions,
  PreparePlanFacts,
  ProbeResult,
  TimeRange,
} from '../../shared/media'
import type { CommandLog } from './command-log'
import { runFfmpeg, writeAtomically } from './ffmpeg-run'
import { joinedDuration, planFinish, type FinishPlanInput, type FinishSegment } from './finish-plan'
import { fileIdentity } from './identity'
import { measureVideo, probeFile } from './probe'
import { readMp4Video } from './mp4-index'
import { parseRate } from './probe-parse'
import { writtenShortfall, type PlannedVideo, type WrittenVideo } from './written-check'
import { planPrepare } from './prepare-plan'
import {
  FILMSTRIP_LINUX_ENV,
  filmstripTimes,
  needsPlaybackProxy,
  planFilmstrip,
  planPlaybackProxy,
  planPoster,
} from './preview-plan'
import type { Tools } from './tools'

export interface RunControl {
  signal?: AbortSignal
  onProgress?: (p: MediaProgress) => void
}

export interface Filmstrip {
  path: string
  times: number[]
  /** Each tile's size in the sprite. */
  tileWidth: number
  tileHeight: number
}

/** Every ffmpeg-backed operation the app, the CLI and the job runner use. Plain Node. */
export class MediaService {
  private readonly inFlight = new Map<string, Promise<unknown>>()

  constructor(
    private readonly tools: Tools,
    private readonly cacheDir: string,
    readonly log: CommandLog,
  ) {}

  /** Probe results by file as it is now (path, size, mtime): a job reads its source several times. */
  private readonly probes = new Map<string, Promise<ProbeResult>>()

  async probe(file: string, signal?: AbortSignal): Promise<ProbeResult> {
    const ffprobe = (await this.tools.ffprobe()).path
    const st = await fs.stat(file).catch(() => null)
    // Missing files and folders go straight to probeFile, which says what is wrong.
    if (!st?.isFile())
      return probeFile(ffprobe, file, { log: this.log, ...(signal ? { signal } : {}) })
    const key = JSON.stringify([ffprobe, path.resolve(file), st.size, st.mtimeMs])
    let result = this.probes.get(key)
    if (!result) {
      // Shared by every caller, so no one caller's cancel applies: a probe is short and timed out.
      result = probeFile(ffprobe, file, { log: this.log })
      this.probes.set(key, result)
      // Failures are not kept (a cancelled probe, a file still being written).
      result.catch(() => this.probes.delete(key))
      if (this.probes.size > 2000) this.probes.delete(this.probes.keys().next().value as string)
    }
    return structuredClone(await result)
  }

  private async ffmpeg(): Promise<string> {
    return (await this.tools.ffmpeg()).path
  }

  /** What a file really holds: packets counted, not the header's claim. */
  async measure(file: string, signal?: AbortSignal): Promise<WrittenVideo> {
    // The MP4s this app and fal write are read from their sample tables; anything else by ffprobe.
    const fromIndex = await readMp4Video(file)
    if (fromIndex) return fromIndex
    const ffprobe = (await this.tools.ffprobe()).path
    return measureVideo(ffprobe, file, { log: this.log, ...(signal ? { signal } : {}) })
  }

  /**
   * Throws `incomplete-output` naming the file and the numbers when `written` holds less than
   * planned; `what` says which step wrote it and what did not happen because of it.
   */
  async verifyWritten(
    written: string,
    planned: PlannedVideo,
    words: { file: string; step: string; consequence: string },
    signal?: AbortSignal,
  ): Promise<void> {
    const problem = writtenShortfall(planned, await this.measure(written, signal))
    if (problem)
      throw new AppError(
        'incomplete-output',
        `${path.basename(words.file)}: ${words.step} ${problem}. ${words.consequence}`,
        { file: words.file },
      )
  }

  /** Runs `make` once per key at a time; callers asking for the same derived file share the work. */
  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key) as Promise<T> | undefined
    if (existing) return existing
    const p = make().finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, p)
    return p
  }

  private async cached(
    kind: string,
    file: string,
    ext: string,
    params: unknown[],
    make: (out: string) => Promise<void>,
  ): Promise<string> {
    const id = await fileIdentity(file, kind, ...params)
    const out = path.join(this.cacheDir, kind, `${id}${ext}`)
    return this.once(out, async () => {
      try {
        await fs.access(out)
        return out
      } catch {
        // not cached yet
      }
      await fs.mkdir(path.dirname(out), { recursive: true })
      await writeAtomically(out, make)
      return out
    })
  }

  /** The exact file that is uploaded to fal (see planPrepare). Never writes over the source. */
  async prepare(
    file: string,
    range: TimeRange,
    options: PrepareOptions,
    output: string,
    control: RunControl = {},
  ): Promise<{ output: string; facts: PreparePlanFacts; probe: ProbeResult }> {
    const probe = await this.probe(file, control.signal)
    if (path.resolve(output) === path.resolve(file)) {
      throw new AppError(
        'invalid-params',
        `${path.basename(output)}: the output must not be the source file`,
        { field: 'out', file: output },
      )
    }
    const bin = await this.ffmpeg()
    let facts: PreparePlanFacts | undefined
    await writeAtomically(output, async (partial) => {
      const plan = planPrepare(probe, range, options, partial)
      facts = plan.facts
      await runFfmpeg({
        bin,
        args: plan.args,
        purpose: 'prepare for upload',
        durationSec: plan.facts.durationSec,
        file,
        log: this.log,
        ...control,
      })
      // ffmpeg exits 0 after writing one frame of a clip whose header lies about its length.
      await this.verifyWritten(
        partial,
        {
          frames: plan.facts.frameCount,
          fps: plan.facts.fps,
          width: plan.facts.width,
          height: plan.facts.height,
        },
        {
          file,
          step: 'prepare',
          consequence: 'The clip may be damaged or cut off; nothing was uploaded.',
        },
        control.signal,
      )
    })
    if (!facts) throw new AppError('internal', 'prepare produced no plan')
    return { output, facts, probe }
  }

  async poster(file: string, atSec = 0, height = 360): Promise<string> {
    // Probe first, like every other use of a user's file: it refuses playlists, lists and image
    // sequences, which ffmpeg would otherwise follow to other files.
    await this.probe(file)
    const bin = await this.ffmpeg()
    return this.cached('posters', file, '.jpg', [atSec, height], (out) =>
      runFfmpeg({
        bin,
        args: planPoster(file, atSec, height, out),
        purpose: 'poster frame',
        file,
        log: this.log,
      }),
    )
  }

  async filmstrip(
    file: string,
    range: { startSec: number; endSec: number },
    count: number,
    height = 72,
  ): Promise<Filmstrip> {
    const times = filmstripTimes(range.startSec, range.endSec, count)
    const bin = await this.ffmpeg()
    const probe = await this.probe(file)
    const source = { file, container: probe.container, startTimeSec: probe.startTimeSec }
    const out = await this.cached('filmstrips', file, '.jpg', [times, height], async (partial) => {
      const listFile = `${partial}.ffconcat`
      const plan = planFilmstrip(source, times, height, partial, listFile)
      if (plan.list !== null) await fs.writeFile(listFile, plan.list)
      try {
        await runFfmpeg({
          bin,
          args: plan.args,
          purpose: 'filmstrip',
          file,
          log: this.log,
          ...(process.platform === 'linux' ? { env: FILMSTRIP_LINUX_ENV } : {}),
        })
      } finally {
        if (plan.list !== null) await fs.rm(listFile, { force: true })
      }
    })
    const tileWidth = Math.max(2, Math.round(((probe.width / probe.height) * height) / 2) * 2)
    return { path: out, times, tileWidth, tileHeight: height }
  }

  /** Peaks (0..1) of the first audio track over a range, one per bucket; none without audio. */
  async waveform(
    file: string,
    range: { startSec: number; endSec: number },
    buckets: number,
  ): Promise<number[]> {
    const probe = await this.probe(file)
    if (probe.audio.length === 0) return []
    const bin = await this.ffmpeg()
    const pcm = await this.cached('waveforms', file, '.pcm', [WAVEFORM_RATE], (partial) =>
      runFfmpeg({
        bin,
        args: planWaveform(file, partial),
        purpose: 'waveform',
        durationSec: probe.durationSec,
        file,
        log: this.log,
      }),
    )
    return peaksOf(await fs.readFile(pcm), range, buckets)
  }

  /** The file the player should load: the clip itself, or an H.264 proxy when Chromium cannot play it. */
  async playable(
    file: string,
    control: RunControl = {},
  ): Promise<{ path: string; proxied: boolean }> {
    const probe = await this.probe(file, control.signal)
    if (!needsPlaybackProxy(probe)) return { path: file, proxied: false }
    const bin = await this.ffmpeg()
    const out = await this.cached('proxies', file, '.mp4', [], (partial) =>
      runFfmpeg({
        bin,
        args: planPlaybackProxy(file, partial),
        purpose: 'preview proxy',
        durationSec: probe.durationSec,
        file,
        log: this.log,
        ...control,
      }),
    )
    return { path: out, proxied: true }
  }

  /** Joins results, lays the source audio under them, embeds the parameters; writes a sidecar JSON too. */
  async finish(
    input: Omit<FinishPlanInput, 'output'> & { output: string },
    control: RunControl = {},
  ): Promise<{ output: string; sidecar: string }> {
    const bin = await this.ffmpeg()
    const durations = input.segments.map((s) => s.durationSec)
    // The sidecar first: a result under its real name always has its sidecar, which says whose it
    // is (a job finishing again after a crash adopts its own file instead of writing a copy).
    const sidecar = `${input.output}.json`
    await writeAtomically(sidecar, (partial) =>
      fs.writeFile(partial, JSON.stringify(input.metadata, null, 2) + '\n'),
    )
    const joined = joinedDuration(durations, input.segments.length > 1 ? input.crossfadeSec : 0)
    try {
      await writeAtomically(input.output, async (partial) => {
        await runFfmpeg({
          bin,
          args: planFinish({ ...input, output: partial }),
          purpose: 'finish result',
          durationSec: joined,
          file: input.output,
          log: this.log,
          ...control,
        })
        // The joined result against the sum of its parts, at the frame rate it was written in. A
        // rate conversion may end up to one result frame early: rounding, not loss.
        const first = input.segments[0] as FinishSegment
        const resultFps = first.fps ?? (await this.probe(first.file, control.signal)).fpsNominal
        const outputFps = input.fps.mode === 'source' ? parseRate(input.fps.rational) : resultFps
        const slack = resultFps > 0 ? Math.ceil(outputFps / resultFps) : 1
        await this.verifyWritten(
          partial,
          { frames: Math.round(joined * outputFps), fps: outputFps, slack },
          {
            file: input.output,
            step: 'finishing',
            consequence: "fal's result is kept; Retry finishes it again.",
          },
          control.signal,
        )
      })
    } catch (err) {
      // No result, no sidecar: a failed finish leaves nothing behind.
      await fs.rm(sidecar, { force: true })
      throw err
    }
    return { output: input.output, sidecar }
  }
}
