import { describe, expect, it } from 'vitest'
import { TURBO, parseRenderParams, type RenderParams } from '../../shared/endpoints'
import { specKey } from './spec-key'

const params = (raw: object): RenderParams => {
  const r = parseRenderParams(TURBO, raw)
  if (!r.ok) throw new Error('bad params')
  return r.params
}
const spec = (p: object, startSec = 0) => ({
  source: '/a.mp4',
  range: { startSec },
  endpoint: TURBO as typeof TURBO,
  params: params(p),
  maxSide: 768 as const,
  fps: 'result' as const,
})

describe('specKey', () => {
  it('is the same for the same render, whatever the key order', () => {
    expect(specKey(spec({ prompt: 'fox', seed: 1 }), 'id')).toBe(
      specKey(spec({ seed: 1, prompt: 'fox' }), 'id'),
    )
  })
  it('changes with the prompt, the range, or the source file', () => {
    const k = specKey(spec({ prompt: 'fox' }), 'id')
    expect(specKey(spec({ prompt: 'owl' }), 'id')).not.toBe(k)
    expect(specKey(spec({ prompt: 'fox' }, 1), 'id')).not.toBe(k)
    expect(specKey(spec({ prompt: 'fox' }), 'id2')).not.toBe(k)
  })
})
