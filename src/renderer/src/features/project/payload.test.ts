import { describe, expect, it } from 'vitest'
import { ProjectPayloadSchema } from '@shared/contract'
import type { ClipDoc } from '@shared/project/clip'
import { fromPayload, toPayload } from './payload'

const clip = (over: Partial<ClipDoc>): ClipDoc => ({
  id: 'c1',
  path: '/c/a.mp4',
  in: 0,
  out: 2,
  endpoint: 'fal-ai/animatediff-v2v/turbo',
  params: { prompt: 'x', seed: 3 },
  segments: [],
  takes: [],
  ...over,
})

describe('project payload', () => {
  it('carries an unlocked seed to the file and back; a locked clip writes no field', () => {
    const payload = toPayload(
      { clips: [clip({ seedLocked: false }), clip({ path: '/c/b.mp4' })] },
      undefined,
    )
    expect(ProjectPayloadSchema.safeParse(payload).success).toBe(true)
    expect(payload.clips[0]?.seedLocked).toBe(false)
    expect(payload.clips[1]).not.toHaveProperty('seedLocked')
    expect(fromPayload(payload).map((c) => c.seedLocked)).toEqual([false, undefined])
  })
})
