import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { probeFile } from './probe'
import { AppError } from '../../shared/errors'

const run = promisify(execFile)
const FFMPEG = '/usr/bin/ffmpeg'
const FFPROBE = '/usr/bin/ffprobe'
const FPS = 25

let dir: string
const files = {
  clip: '',
  silent: '',
  audioOnly: '',
  empty: '',
  text: '',
  truncated: '',
  folder: '',
  missing: '',
}

async function ffmpeg(...args: string[]): Promise<void> {
  await run(FFMPEG, ['-v', 'error', '-y', ...args])
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-probe-'))
  files.clip = path.join(dir, 'clip with audio.mp4')
  files.silent = path.join(dir, 'silent.webm')
  files.audioOnly = path.join(dir, 'voice.m4a')
  files.empty = path.join(dir, 'empty.mp4')
  files.text = path.join(dir, 'notes.txt')
  files.truncated = path.join(dir, 'truncated.mp4')
  files.folder = path.join(dir, 'folder.mp4')
  files.missing = path.join(dir, 'missing.mp4')

  const video = ['-f', 'lavfi', '-i', `testsrc2=size=64x48:rate=${FPS}:duration=1`]
  const sine = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=1']
  await Promise.all([
    ffmpeg(
      ...video,
      ...sine,
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-shortest',
      files.clip,
    ),
    ffmpeg(...video, '-c:v', 'libvpx', '-b:v', '100k', files.silent),
    ffmpeg(...sine, '-c:a', 'aac', files.audioOnly),
    fs.writeFile(files.empty, ''),
    fs.writeFile(files.text, 'These are my notes.\nNot a video at all.\n'),
    fs.mkdir(files.folder),
  ])
  const whole = await fs.readFile(files.clip)
  await fs.writeFile(files.truncated, whole.subarray(0, 1024))
})

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

async function probeError(
  file: string,
  ffprobe = FFPROBE,
  signal?: AbortSignal,
): Promise<AppError> {
  try {
    await probeFile(ffprobe, file, signal ? { signal } : {})
  } catch (err) {
    if (err instanceof AppError) return err
    throw err
  }
  throw new Error(`expected probing ${file} to fail`)
}

describe('probeFile (real ffprobe)', () => {
  it('reads a normal mp4 with an audio track', async () => {
    const result = await probeFile(FFPROBE, files.clip)
    const stat = await fs.stat(files.clip)
    expect(result.path).toBe(files.clip)
    expect(result.sizeBytes).toBe(stat.size)
    expect(result.container).toContain('mp4')
    expect(Math.abs(result.durationSec - 1)).toBeLessThanOrEqual(1 / FPS)
    expect(result.fpsNominal).toBe(FPS)
    expect(result.fpsAverage).toBe(FPS)
    expect(result.variableFrameRate).toBe(false)
    expect(result.frameCount).toBe(FPS)
    expect(result).toMatchObject({
      codec: 'h264',
      pixelFormat: 'yuv420p',
      bitDepth: 8,
      rotation: 0,
    })
    expect(result).toMatchObject({ width: 64, height: 48, codedWidth: 64, codedHeight: 48 })
    expect(result.audio).toEqual([{ index: 1, codec: 'aac', channels: 1, sampleRate: 44100 }])
  })

  it('reads a webm without audio', async () => {
    const result = await probeFile(FFPROBE, files.silent)
    expect(result.codec).toBe('vp8')
    expect(result.container).toContain('webm')
    expect(result.audio).toEqual([])
    expect(result).toMatchObject({ width: 64, height: 48 })
    expect(Math.abs(result.durationSec - 1)).toBeLessThanOrEqual(1 / FPS)
  })

  it.each([
    ['audio-only file', () => files.audioOnly, /audio only/],
    ['empty file', () => files.empty, /empty/],
    [
      'text file',
      () => files.text,
      /: not a video file, or one too damaged to read\. Check that it plays/,
    ],
    [
      'truncated mp4 (first 1 KB)',
      () => files.truncated,
      /: the file is cut off: its index is missing/,
    ],
    ['folder', () => files.folder, /not a file/],
  ])('rejects the %s with invalid-input naming the file', async (_label, fileOf, reason) => {
    const file = fileOf()
    const error = await probeError(file)
    expect(error.code).toBe('invalid-input')
    expect(error.file).toBe(file)
    expect(error.message).toContain(path.basename(file))
    expect(error.message).toMatch(reason)
    // The message names the file, not the folder it sits in, and never ffprobe's memory addresses.
    expect(error.message).not.toContain(dir)
    expect(error.message).not.toMatch(/0x[0-9a-f]{6,}|\[mov,/)
  })

  it('counts the frames of a stream whose header has no count, and sees a gap and mixed rates as VFR', async () => {
    // 120 frames: 60 at 30 fps, a 2 s gap, 60 at 15 fps, in MPEG-TS (no frame count in the header,
    // and rates that say 30 fps throughout: the header alone suggests 239 frames).
    const mixed = path.join(dir, 'mixed.ts')
    await ffmpeg(
      ...[
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x48:rate=30',
        '-frames:v',
        '120',
        '-vf',
        "setpts='if(lt(N,60),N/30,4+(N-60)/15)/TB'",
        '-fps_mode',
        'passthrough',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'mpegts',
        mixed,
      ],
    )
    const result = await probeFile(FFPROBE, mixed)
    expect(result.frameCount).toBe(120)
    expect(result.variableFrameRate).toBe(true)
    // The same in an even stream: counted exactly, and not VFR.
    const even = path.join(dir, 'even.ts')
    await ffmpeg(
      ...[
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x48:rate=25',
        '-frames:v',
        '50',
        '-c:v',
        'libx264',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'mpegts',
        even,
      ],
    )
    const steady = await probeFile(FFPROBE, even)
    expect([steady.frameCount, steady.variableFrameRate]).toEqual([50, false])
  })

  it('reports a missing file as not-found naming the file', async () => {
    const error = await probeError(files.missing)
    expect(error.code).toBe('not-found')
    expect(error.file).toBe(files.missing)
    expect(error.message).toContain('missing.mp4')
  })

  it('reports cancellation as cancelled', async () => {
    const controller = new AbortController()
    controller.abort()
    const error = await probeError(files.clip, FFPROBE, controller.signal)
    expect(error.code).toBe('cancelled')
    expect(error.file).toBe(files.clip)
  })

  it('blames ffprobe, not the clip, when ffprobe cannot run', async () => {
    const missing = path.join(dir, 'no-such-ffprobe')
    const error = await probeError(files.clip, missing)
    expect(error).toBeInstanceOf(AppError)
    expect(error.code).toBe('ffmpeg-missing')
    expect(error.file).toBe(missing)
    expect(error.message).toContain(missing)
  })
})
