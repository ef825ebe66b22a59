import fs from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { benchEntry, recordBench } from '../../bench/results'
import { benchTable, missingFigures, REQUIRED_FIGURES } from '../../bench/table'
import { tempDir } from '../media/clips'

let dir: string
beforeAll(async () => {
  dir = await tempDir('reanimate-bench-results-')
})
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

describe("npm run bench's results", () => {
  it('an entry says its ratio to the baseline and whether its target is met', () => {
    const figure = {
      name: 'filmstrip_ms',
      value: 1250,
      unit: 'ms',
      baseline: { what: 'decode every frame', value: 9000 },
      target: { max: 2000, text: '< 2000 ms' },
    }
    const strip = benchEntry(figure)
    expect(strip).toEqual({
      name: 'filmstrip_ms',
      value: 1250,
      unit: 'ms',
      baseline: 'decode every frame',
      baselineValue: 9000,
      ratio: 7.2,
      target: '< 2000 ms',
      met: true,
      notes: '',
    })
    const slow = benchEntry({ ...figure, value: 2900 })
    expect(slow.met).toBe(false)
    const ratio = benchEntry({
      name: 'time_to_submit',
      value: 10,
      unit: 's',
      baseline: { what: 'upload the original', value: 40 },
      target: { minRatio: 5, text: '≥ 5× faster' },
    })
    expect([ratio.ratio, ratio.met]).toEqual([4, false])
    const noBaseline = benchEntry({
      name: 'rerender_upload_bytes',
      value: 0,
      unit: 'B',
      target: { max: 0, text: '0' },
    })
    expect([noBaseline.ratio, noBaseline.baseline, noBaseline.met]).toEqual([null, null, true])
  })

  it('each benchmark replaces its own entries in one file, with the machine written down', async () => {
    const file = path.join(dir, 'results.json')
    const fig = (name: string, value: number) => ({
      name,
      value,
      unit: 'ms',
      target: { max: 100, text: '< 100 ms' },
    })
    await recordBench([fig('a', 1), fig('b', 2)], file)
    await recordBench([fig('b', 3)], file)
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as {
      machine: { cores: number; memoryGiB: number }
      entries: { name: string; value: number }[]
    }
    expect(saved.entries.map((e) => [e.name, e.value])).toEqual([
      ['a', 1],
      ['b', 3],
    ])
    expect(saved.machine.cores).toBeGreaterThan(0)
    expect(saved.machine.memoryGiB).toBeGreaterThan(0)
  })

  it('the table puts required figures first, marks a miss, and names what the run left out', () => {
    const entries = [
      benchEntry({ name: 'extra', value: 3, unit: 's', target: { max: 1, text: '< 1 s' } }),
      benchEntry({
        name: 'filmstrip_ms',
        value: 1250,
        unit: 'ms',
        baseline: { what: 'decode every frame', value: 9000 },
        target: { max: 2000, text: '< 2000 ms' },
      }),
    ]
    const lines = benchTable(entries).split('\n')
    expect(lines[0]).toMatch(/^figure\s+Reanimate\s+baseline\s+ratio\s+target\s+met$/)
    expect(lines[2]).toMatch(/^filmstrip_ms\s+1250 ms\s+9000 ms\s+7\.2×\s+< 2000 ms\s+yes$/)
    expect(lines[3]).toMatch(/^extra\s+3 s\s+–\s+–\s+< 1 s\s+NO$/)
    expect(missingFigures(entries)).toEqual(REQUIRED_FIGURES.filter((n) => n !== 'filmstrip_ms'))
  })
})
