import { describe, expect, it } from 'vitest'
import {
  DEFAULT_NEGATIVE_PROMPT,
  describeIssue,
  inputSchema,
  type ParamsIssue,
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
          problem: 'must be a whole number from 4 to 12 (got 20)',
          message: 'Steps must be a whole number from 4 to 12 (got 20)',
        },
        {
          field: 'guidance_scale',
          problem: 'must be from 1 to 2.5 (got 0.5)',
          message: 'Guidance must be from 1 to 2.5 (got 0.5)',
        },
      ],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', num_inference_steps: 6.5 })).toMatchObject({
      issues: [{ field: 'num_inference_steps' }],
    })
  })

  it('refuses base_model on turbo and unknown fields anywhere', () => {
    expect(parseRenderParams(TURBO, { prompt: 'x', base_model: 'cardosAnimev20' })).toMatchObject({
      ok: false,
      issues: [{ field: 'base_model', message: `Base model is not accepted by ${TURBO}` }],
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
      parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'a.safetensors', scale: 3 }] }),
    ).toMatchObject({
      issues: [{ field: 'loras.0.scale', message: 'LoRA 1 scale must be from 0 to 2 (got 3)' }],
    })
    // A LoRA is a URL fal can fetch, or a local .safetensors file (uploaded first); nothing else.
    expect(
      parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'https://hf.co/x.safetensors' }] }),
    ).toMatchObject({ params: { loras: [{ path: 'https://hf.co/x.safetensors', scale: 1 }] } })
    expect(
      parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: '/loras/ink.safetensors' }] }),
    ).toMatchObject({ ok: true })
    expect(parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'hf/x' }] })).toMatchObject({
      issues: [
        {
          field: 'loras.0.path',
          message: 'LoRA 1 must be an http(s) URL or a local .safetensors file (got "hf/x")',
        },
      ],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', loras: [{ path: 'ftp://x/y' }] })).toMatchObject(
      {
        issues: [{ field: 'loras.0.path' }],
      },
    )
    expect(parseRenderParams(TURBO, { prompt: 'x', seed: -1 })).toMatchObject({
      issues: [{ field: 'seed' }],
    })
    expect(parseRenderParams(TURBO, { prompt: 'x', select_every_nth_frame: 0 })).toMatchObject({
      issues: [{ field: 'select_every_nth_frame' }],
    })
  })

  it('names a field as each reader knows it: the app’s label, the CLI’s flag, a preset’s key', () => {
    const r = parseRenderParams(TURBO, {
      prompt: 'x',
      num_inference_steps: 50,
      loras: [{ path: 'https://a/b.safetensors', scale: 5 }],
    })
    if (r.ok) throw new Error('expected issues')
    const [steps, scale] = r.issues
    expect(describeIssue(steps as ParamsIssue, 'flag')).toBe(
      '--steps must be a whole number from 4 to 12 (got 50)',
    )
    expect(describeIssue(steps as ParamsIssue, 'label')).toBe(
      'Steps must be a whole number from 4 to 12 (got 50)',
    )
    expect(describeIssue(steps as ParamsIssue, 'field')).toBe(
      'num_inference_steps must be a whole number from 4 to 12 (got 50)',
    )
    expect(describeIssue(scale as ParamsIssue, 'flag')).toBe(
      '--lora #1 scale must be from 0 to 2 (got 5)',
    )
    // No message the app or the CLI shows carries fal's internal names.
    for (const issue of r.issues) {
      expect(describeIssue(issue, 'flag')).not.toMatch(/num_inference_steps|loras\./)
      expect(issue.message).not.toMatch(/num_inference_steps|loras\./)
    }
  })

  it('the full fal input needs the video URL', () => {
    expect(inputSchema(TURBO).safeParse({ prompt: 'x' }).success).toBe(false)
    expect(
      inputSchema(TURBO).parse({ prompt: 'x', video_url: 'https://v.fal.media/a.mp4' }).video_url,
    ).toBe('https://v.fal.media/a.mp4')
  })
})
