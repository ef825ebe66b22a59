import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../../src/cli/main'
import { startFalEmulator, type FalEmulator } from '../fal-emulator/emulator'
import { clips, inspect, tempDir } from '../media/clips'

/** `reanimate render PROJECT`: the editor's work, headless, through the one render service. */

let root: string
let emu: FalEmulator
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  root = await tempDir('reanimate-project-render-')
  await fs.mkdir(path.join(root, 'clips'))
  await clips.basic(path.join(root, 'clips'), 'skate.mp4', 3)
  emu = await startFalEmulator({ processingMs: 20 })
  env = {
    PATH: process.env.PATH,
    REANIMATE_DATA_DIR: path.join(root, 'data'),
    FAL_PROXY_URL: emu.proxyUrl,
  }
})
afterAll(async () => {
  await emu.close()
  await fs.rm(root, { recursive: true, force: true })
})

async function cli(args: string[]) {
  const out: string[] = []
  const err: string[] = []
  const code = await runCli(
    [...args, '--json', '--poll-ms', '30'],
    { stdout: (l) => out.push(l), stderr: (l) => err.push(l) },
    env,
  )
  const json = JSON.parse(out.at(-1) ?? '{}') as {
    outputs?: { clip: number; output?: string; action?: string }[]
    error?: { message: string }
  }
  return { code, json, stderr: err.join('\n') }
}

async function project(name: string, clipsJson: unknown[]): Promise<string> {
  const file = path.join(root, name)
  await fs.writeFile(
    file,
    JSON.stringify({ format: 'reanimate-project', version: 1, clips: clipsJson }),
  )
  return file
}

const twoSegments = {
  path: 'clips/skate.mp4',
  in: 0.48,
  out: 2.48,
  endpoint: 'fal-ai/animatediff-v2v/turbo',
  params: { prompt: 'base', num_inference_steps: 6 },
  segments: [
    { start: 0.48, end: 1.48, params: { prompt: 'ink' } },
    { start: 1.48, end: 2.48, params: {} },
  ],
}
const prompts = () => emu.submits().map((e) => (e.body as { prompt: string }).prompt)

describe('reanimate render', () => {
  it('renders each clip range with one request per segment, joined, then collects it again for free', async () => {
    const file = await project('edit.reanimate', [twoSegments])
    const first = await cli(['render', file])
    expect(first.code, first.stderr).toBe(0)
    expect(prompts().sort()).toEqual(['base', 'ink'])
    expect(
      emu
        .submits()
        .every((e) => (e.body as { num_inference_steps: number }).num_inference_steps === 6),
    ).toBe(true)
    const output = first.json.outputs?.[0]?.output ?? ''
    expect(output).toBe(path.join(root, 'clips', 'skate.reanimate.mp4'))
    expect((await inspect(output)).durationSec).toBeCloseTo(2, 0)

    emu.clearLog()
    const again = await cli(['render', file])
    expect(again.code).toBe(0)
    expect(again.json.outputs?.[0]).toMatchObject({ clip: 1, output, action: 'done' })
    const elsewhere = await cli(['render', file, '--out-dir', path.join(root, 'delivery')])
    expect(elsewhere.code, elsewhere.stderr).toBe(0)
    expect(elsewhere.json.outputs?.[0]).toMatchObject({
      action: 'copied',
      output: path.join(root, 'delivery', 'skate.reanimate.mp4'),
    })
    expect(emu.submits()).toHaveLength(0)

    // --again is a new take: paid for, under a new name.
    const take2 = await cli(['render', file, '--again'])
    expect(take2.code, take2.stderr).toBe(0)
    expect(emu.submits()).toHaveLength(2)
    expect(take2.json.outputs?.[0]?.output).toBe(
      path.join(root, 'clips', 'skate.reanimate (2).mp4'),
    )
  })

  it('blends segment borders over frames rendered as overlap, keeping the source timing; run collects it', async () => {
    emu.clearLog()
    const file = await project('blend.reanimate', [{ ...twoSegments, crossfadeFrames: 4 }])
    const out = path.join(root, 'blend')
    const first = await cli(['render', file, '--out-dir', out])
    expect(first.code, first.stderr).toBe(0)
    // A hard cut of the same segments was rendered above: a blend is a different render.
    expect(prompts().sort()).toEqual(['base', 'ink'])
    // 25 fps, every 2nd frame: 4 result frames = 0.32 s, rendered 0.16 s past each side of 1.48 s.
    const sent = await Promise.all(
      emu.submits().map(async (e) => {
        const body = e.body as { prompt: string; video_url: string }
        const local = path.join(out, `sent-${body.prompt}.mp4`)
        await fs.writeFile(local, Buffer.from(await (await fetch(body.video_url)).arrayBuffer()))
        return [body.prompt, (await inspect(local)).frames] as const
      }),
    )
    // 1 s + 0.16 s each at 25 fps.
    expect(Object.fromEntries(sent)).toEqual({ ink: 29, base: 29 })
    const output = first.json.outputs?.[0]?.output ?? ''
    const facts = await inspect(output)
    // 15 + 15 result frames less the 4 blended: 26, as many as the hard cut's 13 + 13 (above), so
    // every frame stays at its source time; not 2 s less the blend.
    const hardCut = await inspect(path.join(root, 'clips', 'skate.reanimate.mp4'))
    expect(facts.frames).toBe(26)
    expect(facts.frames).toBe(hardCut.frames)

    // The same render asked from the CLI's flags is the same render: collected, not paid again.
    emu.clearLog()
    const rerun = await cli([
      'run',
      path.join(root, 'clips', 'skate.mp4'),
      '--prompt',
      'base',
      '--steps',
      '6',
      '--start',
      '0.48',
      '--end',
      '2.48',
      '--segment',
      '0.48-1.48:ink',
      '--segment',
      '1.48-2.48:base',
      '--crossfade',
      '4',
      '--out',
      path.join(out, 'again.mp4'),
    ])
    expect(rerun.code, rerun.stderr).toBe(0)
    expect(rerun.stderr).toMatch(/without paying again/)
    expect(emu.submits()).toHaveLength(0)

    const bad = await cli([
      'run',
      path.join(root, 'clips', 'skate.mp4'),
      '--prompt',
      'x',
      '--crossfade',
      '4',
    ])
    expect(bad.code).toBe(2)
    expect(bad.json.error?.message).toBe(
      '--crossfade blends the borders between segments: give two or more --segment',
    )
    const tooLong = await project('long-blend.reanimate', [
      {
        ...twoSegments,
        crossfadeFrames: 16,
        segments: [
          { start: 0.48, end: 0.88, params: { prompt: 'ink' } },
          { start: 0.88, end: 2.48, params: {} },
        ],
      },
    ])
    const refused = await cli(['render', tooLong])
    expect(refused.code).toBe(2)
    expect(refused.json.error?.message).toBe(
      'clip 1: Crossfade at borders (16 frames, 1.28 s) is longer than segment 1 (0.40 s); lower Crossfade at borders or merge that segment.',
    )
    expect(emu.submits()).toHaveLength(0)
  })

  it('refuses a bad project before anything is sent, naming the clip, the segment or the flag', async () => {
    emu.clearLog()
    const badSteps = await project('bad.reanimate', [
      {
        ...twoSegments,
        segments: [
          twoSegments.segments[0],
          { start: 1.48, end: 2.48, params: { num_inference_steps: 40 } },
        ],
      },
    ])
    const steps = await cli(['render', badSteps])
    expect(steps.code).toBe(2)
    expect(steps.json.error?.message).toBe(
      'clip 1, segment 2: Steps must be a whole number from 4 to 12 (got 40)',
    )

    const missing = await project('missing.reanimate', [
      twoSegments,
      { ...twoSegments, path: 'clips/gone.mp4', segments: [] },
    ])
    const gone = await cli(['render', missing])
    expect(gone.code).toBe(2)
    expect(gone.json.error?.message).toMatch(/^clip 2 \(gone\.mp4\): /)

    const clipFlag = await cli(['render', missing, '--clip', '3'])
    expect(clipFlag.code).toBe(2)
    expect(clipFlag.json.error?.message).toBe("--clip must be from 1 to 2 (the project's clips)")

    const notProject = await cli(['render', path.join(root, 'clips', 'skate.mp4')])
    expect(notProject.code).toBe(2)
    expect(notProject.json.error?.message).toBe(
      'skate.mp4: not a Reanimate project (it is not JSON)',
    )
    expect(emu.submits()).toHaveLength(0)
  })
})
