import { describe, expect, it } from 'vitest'
import { segmentFlags } from './render-flags'

describe('--segment', () => {
  it('reads FROM-TO:PROMPT, keeping the other parameters', () => {
    expect(segmentFlags(['0-2:ink', '2-4.5: oil: thick'], { prompt: 'x', seed: 3 })).toEqual([
      { startSec: 0, endSec: 2, params: { prompt: 'ink', seed: 3 } },
      { startSec: 2, endSec: 4.5, params: { prompt: ' oil: thick', seed: 3 } },
    ])
    expect(segmentFlags(undefined, {})).toBeUndefined()
  })

  it.each(['2:ink', '0-2', 'a-b:ink', '-1-2:ink'])('refuses %j naming the flag', (v) => {
    expect(() => segmentFlags([v], {})).toThrow(/^--segment must look like 0-2:PROMPT/)
  })
})
