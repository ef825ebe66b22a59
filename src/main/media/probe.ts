import fs from 'node:fs/promises'
import path from 'node:path'
import { execa } from 'execa'
import { childEnvOptions } from './child-env'
import { containerProblem, LOCAL_INPUT_ONLY } from './container-check'
import { AppError } from '../../shared/errors'
import type { ProbeResult } from '../../shared/media'
import {
  describeProbeFailure,
  hasIsoHeader,
  isElementaryStream,
  packetTimes,
  parseProbe,
  parseRate,
  trueDuration,
  scanFacts,
  type FfprobeJson,
} from './probe-parse'
import type { CommandLog } from './command-log'
import type { WrittenVideo } from './written-check'

export interface ProbeOptions {
  timeoutMs?: number
  signal?: AbortSignal
  log?: CommandLog
}

/** One ffprobe run: minimal environment, bounded in time and output, logged with its outcome. */
async function runFfprobe(
  ffprobe: string,
  args: string[],
  purpose: string,
  options: ProbeOptions,
  limits: { timeoutMs: number; maxBuffer: number },
) {
  const record = options.log?.start(purpose, ffprobe, args)
  const started = Date.now()
  const run = await execa(ffprobe, args, {
    ...childEnvOptions(),
    timeout: limits.timeoutMs,
    reject: false,
    maxBuffer: limits.maxBuffer,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  })
  if (record)
    options.log?.finish(
      record,
      run.isCanceled ? 'cancelled' : run.exitCode === 0 ? 'ok' : 'failed',
      run.exitCode ?? null,
      Date.now() - started,
    )
  return run
}

/** Reads a media file's facts with ffprobe. Every failure names the file and what is wrong with it. */
export async function probeFile(
  ffprobe: string,
  file: string,
  options: ProbeOptions = {},
): Promise<ProbeResult> {
  const name = path.basename(file)
  let stat
  try {
    stat = await fs.stat(file)
  } catch {
    throw new AppError('not-found', `${name}: file not found`, { file })
  }
  if (!stat.isFile()) throw new AppError('invalid-input', `${name}: not a file`, { file })
  if (stat.size === 0) throw new AppError('invalid-input', `${name}: the file is empty`, { file })

  // prettier-ignore
  const args = [
    '-v', 'error', ...LOCAL_INPUT_ONLY,
    '-print_format', 'json', '-show_format', '-show_streams', file,
  ]
  // ffprobe on a hostile file can print a lot; we only need the JSON.
  const run = await runFfprobe(ffprobe, args, 'probe', options, {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxBuffer: 32 * 1024 * 1024,
  })
  if (run.isCanceled) throw new AppError('cancelled', `${name}: probe cancelled`, { file })
  if (
    (run as { code?: string }).code === 'ENOENT' ||
    (run as { code?: string }).code === 'EACCES'
  ) {
    throw new AppError(
      'ffmpeg-missing',
      `ffprobe could not be started (${ffprobe}). Check the ffprobe path in Settings.`,
      { file: ffprobe },
    )
  }
  if (run.timedOut)
    throw new AppError(
      'timeout',
      `${name}: ffprobe did not answer in time; the file may be damaged`,
      { file },
    )
  let json: FfprobeJson = {}
  try {
    json = JSON.parse(run.stdout || '{}') as FfprobeJson
  } catch {
    // fall through to the checks below
  }
  if (run.exitCode !== 0 || !json.format) {
    const head = Buffer.alloc(12)
    await fs
      .open(file)
      .then(async (h) => {
        await h.read(head, 0, 12, 0)
        await h.close()
      })
      .catch(() => undefined)
    throw new AppError(
      'invalid-input',
      `${name}: ${describeProbeFailure(run.stderr.split(file).join(name), hasIsoHeader(head))}`,
      { file },
    )
  }
  const refused = containerProblem(json.format.format_name)
  if (refused) throw new AppError('invalid-input', `${name}: ${refused}`, { file })
  const result = parseProbe(json, file, stat.size)
  if (!result) {
    const hasAudio = json.streams?.some((s) => s.codec_type === 'audio')
    throw new AppError(
      'invalid-input',
      `${name}: ${hasAudio ? 'audio only, no video stream' : 'no video stream'}`,
      { file },
    )
  }
  const video = json.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
  if (video && (!Number(video.nb_frames) || isElementaryStream(result.container))) {
    // No frame count in the header (MPEG-TS, MKV, WebM), or a raw stream whose header timing is a
    // guess: count the packets, which also shows gaps and mixed rates the header's rates hide.
    const scanned = await scanPackets(ffprobe, file, video.index, options)
    const facts = scanned && scanFacts(scanned.times, result.fpsNominal, scanned.packets)
    if (facts) {
      result.frameCount = facts.frameCount
      result.variableFrameRate = result.variableFrameRate || facts.variableFrameRate
      const length = trueDuration(result.durationSec, facts)
      result.durationSec = length.durationSec
      result.durationSource = length.source
    }
  }
  if (!(result.durationSec > 0) || result.width <= 0 || result.height <= 0) {
    throw new AppError('invalid-input', `${name}: the video stream is truncated or corrupt`, {
      file,
    })
  }
  return result
}

/**
 * The video packets' timestamps, read without decoding. Bounded in time: a huge file that takes
 * too long keeps the header's figures instead (null).
 */
async function scanPackets(
  ffprobe: string,
  file: string,
  streamIndex: number,
  options: ProbeOptions,
): Promise<{ times: number[]; packets: number } | null> {
  const args = [
    '-v',
    'error',
    ...LOCAL_INPUT_ONLY,
    '-select_streams',
    String(streamIndex),
    '-show_entries',
    'packet=pts_time,dts_time',
    '-of',
    'csv=p=0',
    file,
  ]
  const run = await runFfprobe(ffprobe, args, 'count frames', options, {
    timeoutMs: 20_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  if (run.exitCode !== 0 || run.timedOut) return null
  return packetTimes(run.stdout)
}

/**
 * What a file this app wrote really holds: its video packets counted (not the header's claim), its
 * frame size and duration. Used to check a step's output against its plan (written-check.ts).
 */
export async function measureVideo(
  ffprobe: string,
  file: string,
  options: ProbeOptions = {},
): Promise<WrittenVideo> {
  // prettier-ignore
  const args = [
    '-v', 'error', ...LOCAL_INPUT_ONLY, '-select_streams', 'v:0', '-count_packets',
    '-show_entries', 'stream=nb_read_packets,width,height,duration,r_frame_rate', '-of', 'json', file,
  ]
  const run = await runFfprobe(ffprobe, args, 'check what was written', options, {
    timeoutMs: options.timeoutMs ?? 60_000,
    maxBuffer: 1024 * 1024,
  })
  if (run.isCanceled) throw new AppError('cancelled', `${path.basename(file)}: cancelled`, { file })
  const stream = (() => {
    try {
      return (
        JSON.parse(run.stdout || '{}') as {
          streams?: {
            nb_read_packets?: string
            width?: number
            height?: number
            duration?: string
            r_frame_rate?: string
          }[]
        }
      ).streams?.[0]
    } catch {
      return undefined
    }
  })()
  return {
    frames: Number(stream?.nb_read_packets) || 0,
    width: stream?.width ?? 0,
    height: stream?.height ?? 0,
    durationSec: Number(stream?.duration) || 0,
    fps: parseRate(stream?.r_frame_rate),
  }
}
