import {
  DEFAULT_ENDPOINT,
  ENDPOINT_IDS,
  isEndpointId,
  type EndpointId,
  type Lora,
  type RenderParams,
} from '../shared/endpoints'
import { validParams } from '../main/render/render-spec'
import { UsageError } from './output'

/** The render options `run` and `batch` share (parseArgs definitions). */
export const RENDER_OPTIONS = {
  prompt: { type: 'string' },
  'negative-prompt': { type: 'string' },
  steps: { type: 'string' },
  guidance: { type: 'string' },
  lora: { type: 'string', multiple: true },
  seed: { type: 'string' },
  nth: { type: 'string' },
  'base-model': { type: 'string' },
  endpoint: { type: 'string' },
  'max-side': { type: 'string' },
  fps: { type: 'string' },
  'poll-ms': { type: 'string' },
} as const

export interface RenderFlagValues {
  prompt?: string | undefined
  'negative-prompt'?: string | undefined
  steps?: string | undefined
  guidance?: string | undefined
  lora?: string[] | undefined
  seed?: string | undefined
  nth?: string | undefined
  'base-model'?: string | undefined
  endpoint?: string | undefined
  'max-side'?: string | undefined
  fps?: string | undefined
  'poll-ms'?: string | undefined
}

export function numberFlag(
  value: string | undefined,
  field: string,
  integer = false,
): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      `--${field} must be ${integer ? 'a whole number' : 'a number'} (got "${value}")`,
      field,
    )
  }
  return n
}

/**
 * `--segment 0-2:a watercolor beach`, repeatable: the range from 0 s to 2 s rendered with its own
 * prompt (every other parameter as given by the other flags). Segments must cover the range in
 * order; the render service checks that.
 */
export function segmentFlags(
  values: string[] | undefined,
  params: Record<string, unknown>,
): { startSec: number; endSec: number; params: Record<string, unknown> }[] | undefined {
  if (!values?.length) return undefined
  return values.map((v) => {
    const m = /^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*:(.+)$/s.exec(v)
    if (!m)
      throw new UsageError(
        `--segment must look like 0-2:PROMPT (from and to in seconds, then its prompt); got "${v}"`,
        'segment',
      )
    return { startSec: Number(m[1]), endSec: Number(m[2]), params: { ...params, prompt: m[3] } }
  })
}

/** `https://x/y.safetensors@0.8` → {path, scale: 0.8}; an `@` not followed by a number stays in the path. */
export function parseLora(spec: string): Lora | { path: string } {
  const m = /^(.*)@(-?\d+(?:\.\d+)?)$/.exec(spec)
  return m && m[1] ? { path: m[1], scale: Number(m[2]) } : { path: spec }
}

/** The endpoint and the raw parameters the flags give (numbers parsed, nothing else checked yet). */
export function rawParamsFromFlags(values: RenderFlagValues): {
  endpoint: EndpointId
  raw: Record<string, unknown>
} {
  const endpoint = values.endpoint ?? DEFAULT_ENDPOINT
  if (!isEndpointId(endpoint))
    throw new UsageError(
      `--endpoint must be one of ${ENDPOINT_IDS.join(', ')} (got "${endpoint}")`,
      'endpoint',
    )
  const raw: Record<string, unknown> = { prompt: values.prompt ?? '' }
  const set = (key: string, value: unknown) => {
    if (value !== undefined) raw[key] = value
  }
  set('negative_prompt', values['negative-prompt'])
  set('num_inference_steps', numberFlag(values.steps, 'steps'))
  set('guidance_scale', numberFlag(values.guidance, 'guidance'))
  set('seed', numberFlag(values.seed, 'seed'))
  set('select_every_nth_frame', numberFlag(values.nth, 'nth'))
  set('base_model', values['base-model'])
  if (values.lora?.length) raw.loras = values.lora.map(parseLora)
  return { endpoint, raw }
}

/** The endpoint and its validated parameters; the first problem names its flag (`--steps must …`). */
export function renderParamsFromFlags(values: RenderFlagValues): {
  endpoint: EndpointId
  params: RenderParams
} {
  const { endpoint, raw } = rawParamsFromFlags(values)
  return { endpoint, params: validParams(endpoint, raw, 'flag') }
}

export function fpsFlag(value: string | undefined): 'result' | 'source' {
  const fps = value ?? 'result'
  if (fps !== 'result' && fps !== 'source')
    throw new UsageError(`--fps must be "result" or "source" (got "${fps}")`, 'fps')
  return fps
}

export function maxSideFlag(
  raw: string | undefined,
  fallback: number | 'original',
): number | 'original' {
  if (raw === undefined) return fallback
  if (raw === 'original') return 'original'
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 16 || n > 8192)
    throw new UsageError(
      `--max-side must be a whole number of pixels from 16 to 8192, or "original" (got "${raw}")`,
      'max-side',
    )
  return n
}
