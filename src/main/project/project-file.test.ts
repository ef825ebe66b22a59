import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseProject, readProject, writeProject, type ProjectPayload } from './project-file'

let dir: string
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-project-'))
})
afterAll(() => fs.rm(dir, { recursive: true, force: true }))

/** The example, as a user would write it by hand. */
const example = {
  format: 'reanimate-project',
  version: 1,
  clips: [
    {
      path: 'clips/skate.mp4',
      in: 0,
      out: 4,
      endpoint: 'fal-ai/animatediff-v2v/turbo',
      params: { prompt: '…', num_inference_steps: 8 },
      segments: [
        { start: 0, end: 2, params: { prompt: 'A' } },
        { start: 2, end: 4, params: { prompt: 'B' } },
      ],
      takes: [],
    },
  ],
}

describe('project files', () => {
  it('reads paths relative to the project file, and writes them back relative', async () => {
    const file = path.join(dir, 'show', 'edit.reanimate')
    const project = parseProject(JSON.stringify(example), file)
    expect(project.clips[0]?.path).toBe(path.join(dir, 'show', 'clips', 'skate.mp4'))
    await fs.mkdir(path.dirname(file), { recursive: true })
    await writeProject(file, project)
    const text = JSON.parse(await fs.readFile(file, 'utf8')) as typeof example
    expect(text).toEqual(example)
    expect(await readProject(file)).toEqual(project)
  })

  it('round-trips everything: outside paths stay absolute, takes and the view come back', async () => {
    const file = path.join(dir, 'round.reanimate')
    const outside = path.join(os.tmpdir(), 'elsewhere', 'surf.mov')
    const project: ProjectPayload = {
      clips: [
        {
          path: outside,
          in: 1.2,
          out: 3.04,
          endpoint: 'fal-ai/animatediff-v2v',
          params: {
            prompt: 'oil',
            loras: [{ path: 'https://x/y.safetensors', scale: 0.8 }],
            seed: 7,
          },
          segments: [],
          crossfadeFrames: 6,
          takes: [
            {
              jobId: 'j1',
              output: path.join(dir, 'surf.reanimate.mp4'),
              seed: 7,
              createdAt: '2026-11-30T12:00:00Z',
            },
          ],
        },
      ],
      view: { selected: 0, pxPerSec: 240, playhead: 2 },
    }
    await writeProject(file, project)
    const text = await fs.readFile(file, 'utf8')
    expect(text).toContain('"output": "surf.reanimate.mp4"')
    expect(await readProject(file)).toEqual(project)
  })

  it('a file without segments, takes or view (written by hand) opens with the defaults', () => {
    const p = parseProject(
      JSON.stringify({
        format: 'reanimate-project',
        version: 1,
        clips: [{ path: '/a.mp4', in: 0, out: 2, endpoint: 'fal-ai/animatediff-v2v/turbo' }],
      }),
      '/p/x.reanimate',
    )
    expect(p.clips[0]).toMatchObject({ params: {}, segments: [], takes: [] })
    // Written before the seed lock existed: no field, which the editor reads as locked.
    expect(p.clips[0]).not.toHaveProperty('seedLocked')
    expect(p).not.toHaveProperty('view')
  })

  it("keeps a clip's unlocked seed, still as version 1", async () => {
    const file = path.join(dir, 'unlocked.reanimate')
    const project: ProjectPayload = {
      clips: [
        {
          path: '/a.mp4',
          in: 0,
          out: 2,
          endpoint: 'fal-ai/animatediff-v2v/turbo',
          params: { prompt: 'x', seed: 42 },
          segments: [],
          takes: [],
          seedLocked: false,
        },
      ],
    }
    await writeProject(file, project)
    const text = JSON.parse(await fs.readFile(file, 'utf8')) as { version: number }
    expect(text.version).toBe(1)
    expect(await readProject(file)).toEqual(project)
    await fs.writeFile(
      file,
      JSON.stringify({ ...text, clips: [{ ...project.clips[0], seedLocked: 'no' }] }),
    )
    await expect(readProject(file)).rejects.toThrow('unlocked.reanimate: clips.0.seedLocked')
  })

  it('says what is wrong, naming the file and the field', () => {
    const bad =
      (patch: object, file = '/p/edit.reanimate') =>
      () =>
        parseProject(JSON.stringify({ ...example, ...patch }), file)
    expect(bad({ version: 2 })).toThrow(
      'edit.reanimate: made by a newer Reanimate (project version 2; this one reads up to 1). Update Reanimate to open it.',
    )
    expect(bad({ format: 'premiere' })).toThrow('edit.reanimate: not a Reanimate project')
    expect(() => parseProject('{', '/p/edit.reanimate')).toThrow(
      'not a Reanimate project (it is not JSON)',
    )
    const gap = structuredClone(example)
    const second = gap.clips[0]?.segments[1]
    if (second) second.start = 2.5
    expect(bad(gap)).toThrow(
      'edit.reanimate: clips.0.segments.1.start: segment 2 starts at 2.5 s, not at 2 s',
    )
    const backwards = structuredClone(example)
    const first = backwards.clips[0]
    if (first) first.out = 0
    expect(bad(backwards)).toThrow('clips.0.out: out must be after in')
    expect(bad({ clips: [{ ...example.clips[0], crossfadeFrames: 17 }] })).toThrow(
      /clips\.0\.crossfadeFrames/,
    )
    expect(bad({ clips: [{ ...example.clips[0], endpoint: 'fal-ai/other' }] })).toThrow(
      /clips\.0\.endpoint/,
    )
  })

  it('a missing project file says so by name', async () => {
    await expect(readProject(path.join(dir, 'gone.reanimate'))).rejects.toThrow(
      'gone.reanimate: no such project',
    )
  })
})
