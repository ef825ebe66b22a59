import { describe, expect, it } from 'vitest'
import {
  DEFAULT_NEGATIVE_PROMPT,
  inputSchema,
  parseRenderParams,
  STANDARD,
  TURBO,
} from './endpoints'

describe('endpoint parameters', () => {
  it("fills fal's turbo defaults when the user gave only a prompt", () => {
    expect(parseRenderParams(TURBO, { prompt: 'a watercolor fox' })).toEqual({
      ok: true,
      params: {
        prompt: 'a watercolor fox',
        negative_prompt: DEFAULT_NEGATIVE_PROMPT,
        num_inference_steps: 8,
        guidance_scale: 2.2,
        loras: [],
        select_every_nth_frame: 2,
      },
    })
  })

  it('uses the standard endpoint its own defaults, base model included', () => {
    const r = parseRenderParams(STANDARD, { prompt: 'x' })
    expect(r).toMatchObject({
      ok: true,
      params: { num_inference_steps: 25, guidance_scale: 7, base_model: 'cardosAnimev20' },
    })
  })

  it('names the field and the allowed range', () => {
    const r = parseRenderParams(TURBO, {
      prompt: 'x',
      num_inference_steps: 20,
      guidance_scale: 0.5,
    })
    expect(r).toEqual({
      ok: false,
      issues: [
        {
          field: 'num_inference_steps',
          message: 'num_inference_steps must be a whole number from 4 to 12 (got 20)',
        },
        { field: 'guidance_scale', message: 'guidance_scale must be from 1 to 2.5 (got 0.5)' },
      ],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', num_inference_steps: 6.5 })).toMatchObject({
      issues: [{ field: 'num_inference_steps' }],
    })
  })

  it('refuses base_model on turbo and unknown fields anywhere', () => {
    expect(parseRenderParams(TURBO, { prompt: 'x', base_model: 'cardosAnimev20' })).toMatchObject({
      ok: false,
      issues: [{ field: 'base_model', message: `base_model is not accepted by ${TURBO}` }],
    })
    expect(parseRenderParams(STANDARD, { prompt: 'x', base_model: 'sdxl' })).toMatchObject({
      issues: [{ field: 'base_model', message: expect.stringContaining('cardosAnimev20') }],
    })
  })

  it('requires a prompt and checks LoRAs, seed and nth', () => {
    expect(parseRenderParams(TURBO, { prompt: '   ' })).toMatchObject({
      issues: [{ field: 'prompt' }],
    })
    expect(parseRenderParams(TURBO, {})).toMatchObject({ issues: [{ field: 'prompt' }] })
    expect(parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: '' }] })).toMatchObject({
      issues: [{ field: 'loras.0.path' }],
    })
    expect(
      parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'a', scale: 3 }] }),
    ).toMatchObject({
      issues: [{ field: 'loras.0.scale', message: 'scale must be from 0 to 2 (got 3)' }],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'hf/x' }] })).toMatchObject({
      params: { loras: [{ path: 'hf/x', scale: 1 }] },
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', seed: -1 })).toMatchObject({
      issues: [{ field: 'seed' }],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', select_every_nth_frame: 0 })).toMatchObject({
      issues: [{ field: 'select_every_nth_frame' }],
    })
  })

  it('the full fal input needs the video URL', () => {
    expect(inputSchema(TURBO).safeParse({ prompt: 'x' }).success).toBe(false)
    expect(
      inputSchema(TURBO).parse({ prompt: 'x', video_url: 'https://v.fal.media/a.mp4' }).video_url,
    ).toBe('https://v.fal.media/a.mp4')
  })
})
