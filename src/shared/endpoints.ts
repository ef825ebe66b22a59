import { z } from 'zod'
import { paramName, type NameStyle } from './param-names'

/**
 * The fal endpoints Reanimate calls, with fal's defaults and ranges. One source of truth: the
 * renderer's controls, the CLI, the main process and the local fal emulator all read it.
 * Ranges fal does not document are conservative app limits, marked as such.
 */
export const TURBO = 'fal-ai/animatediff-v2v/turbo'
export const STANDARD = 'fal-ai/animatediff-v2v'
export type EndpointId = typeof TURBO | typeof STANDARD
export const ENDPOINT_IDS = [TURBO, STANDARD] as const
export const DEFAULT_ENDPOINT: EndpointId = TURBO

export const DEFAULT_NEGATIVE_PROMPT = '(bad quality, worst quality:1.2), ugly faces, bad anime'
export const BASE_MODELS = ['cardosAnimev20', 'darkSushiMixMix_colorful'] as const

export interface NumberParam {
  min: number
  max: number
  default: number
  step: number
  integer: boolean
  label: string
  /** Why the range is what it is, when fal does not say. */
  note?: string
}

export interface EndpointInfo {
  id: EndpointId
  label: string
  steps: NumberParam
  guidance: NumberParam
  nth: NumberParam
  /** Only the standard endpoint takes a base model. */
  baseModels: readonly string[] | null
  defaultBaseModel?: string
}

const NTH: NumberParam = {
  min: 1,
  max: 8,
  default: 2,
  step: 1,
  integer: true,
  label: 'Use every Nth frame',
  note: 'fal documents the default (2) but no range; 1-8 keeps motion usable.',
}
export const LORA_SCALE: NumberParam = {
  min: 0,
  max: 2,
  default: 1,
  step: 0.05,
  integer: false,
  label: 'LoRA scale',
  note: 'app limit',
}
export const MAX_LORAS = 5
export const SEED_MAX = 2 ** 32 - 1
export const PROMPT_MAX = 2000

export const ENDPOINTS: Record<EndpointId, EndpointInfo> = {
  [TURBO]: {
    id: TURBO,
    label: 'AnimateDiff turbo',
    steps: { min: 4, max: 12, default: 8, step: 1, integer: true, label: 'Steps' },
    guidance: { min: 1, max: 2.5, default: 2.2, step: 0.1, integer: false, label: 'Guidance' },
    nth: NTH,
    baseModels: null,
  },
  [STANDARD]: {
    id: STANDARD,
    label: 'AnimateDiff',
    steps: {
      min: 1,
      max: 50,
      default: 25,
      step: 1,
      integer: true,
      label: 'Steps',
      note: 'fal documents the default (25) but no range.',
    },
    guidance: {
      min: 1,
      max: 20,
      default: 7,
      step: 0.5,
      integer: false,
      label: 'Guidance',
      note: 'fal documents the default (7) but no range.',
    },
    nth: NTH,
    baseModels: BASE_MODELS,
    defaultBaseModel: 'cardosAnimev20',
  },
}

export function isEndpointId(id: unknown): id is EndpointId {
  return typeof id === 'string' && Object.hasOwn(ENDPOINTS, id)
}

/**
 * A number field whose messages give the allowed range. Messages leave the name out: the app puts
 * its control's label in front, the CLI its flag (see param-names.ts).
 */
function numberField(p: NumberParam) {
  const range = `must be ${p.integer ? 'a whole number ' : ''}from ${p.min} to ${p.max}`
  const error = (iss: { input?: unknown }) => `${range} (got ${JSON.stringify(iss.input)})`
  let n = z.number({ error })
  if (p.integer) n = n.int({ error })
  return n.min(p.min, { error }).max(p.max, { error })
}

/** A LoRA is either a URL fal can fetch or a local `.safetensors` file, which is uploaded first. */
export function isLocalLora(loraPath: string): boolean {
  return !/^https?:\/\//i.test(loraPath)
}

export const LoraSchema = z
  .object({
    path: z
      .string()
      .trim()
      .min(1, { error: 'needs a path: an http(s) URL or a local .safetensors file', abort: true })
      .refine((p) => !isLocalLora(p) || /\.safetensors$/i.test(p), {
        error: (iss) =>
          `must be an http(s) URL or a local .safetensors file (got ${JSON.stringify(iss.input)})`,
      }),
    scale: numberField(LORA_SCALE).default(LORA_SCALE.default),
  })
  .strict()
export type Lora = z.infer<typeof LoraSchema>

const prompt = z
  .string({ error: 'is required' })
  .trim()
  .min(1, 'is required: describe the look you want')
  .max(PROMPT_MAX, `must be at most ${PROMPT_MAX} characters`)

const seed = z
  .number({ error: `must be a whole number from 0 to ${SEED_MAX}` })
  .int(`must be a whole number from 0 to ${SEED_MAX}`)
  .min(0, `must be a whole number from 0 to ${SEED_MAX}`)
  .max(SEED_MAX, `must be a whole number from 0 to ${SEED_MAX}`)

/** The render parameters a user sets for one endpoint (everything but the video). */
function paramsSchema(info: EndpointInfo) {
  const shape = {
    prompt,
    negative_prompt: z.string().max(PROMPT_MAX).default(DEFAULT_NEGATIVE_PROMPT),
    num_inference_steps: numberField(info.steps).default(info.steps.default),
    guidance_scale: numberField(info.guidance).default(info.guidance.default),
    loras: z.array(LoraSchema).max(MAX_LORAS, `takes at most ${MAX_LORAS}`).default([]),
    seed: seed.optional(),
    select_every_nth_frame: numberField(info.nth).default(info.nth.default),
  }
  if (!info.baseModels) return z.object(shape).strict()
  return z
    .object({
      ...shape,
      base_model: z
        .enum(info.baseModels as [string, ...string[]], {
          error: `must be one of ${info.baseModels.join(', ')}`,
        })
        .default(info.defaultBaseModel ?? info.baseModels[0] ?? ''),
    })
    .strict()
}

export const TurboParamsSchema = paramsSchema(ENDPOINTS[TURBO])
export const StandardParamsSchema = paramsSchema(ENDPOINTS[STANDARD])

export const PARAMS_SCHEMAS = {
  [TURBO]: TurboParamsSchema,
  [STANDARD]: StandardParamsSchema,
} as const
export type RenderParamsInput = z.input<typeof StandardParamsSchema>
export type RenderParams = z.output<typeof TurboParamsSchema> & { base_model?: string }

/** The body fal receives: the parameters plus the uploaded video's URL. */
export function inputSchema(endpoint: EndpointId) {
  return PARAMS_SCHEMAS[endpoint].extend({ video_url: z.string().min(1, 'video_url is required') })
}

export interface ParamsIssue {
  /** fal's name for the field, e.g. `num_inference_steps` or `loras.0.scale`. */
  field: string
  /** What is wrong, without the field's name: "must be from 4 to 12 (got 50)". */
  problem: string
  /** The whole sentence with the app's label: "Steps must be from 4 to 12 (got 50)". */
  message: string
}

/** The issue as a sentence naming the field the way this reader knows it. */
export function describeIssue(issue: Pick<ParamsIssue, 'field' | 'problem'>, style: NameStyle) {
  return `${paramName(issue.field, style)} ${issue.problem}`
}

/**
 * Parses render parameters for an endpoint, filling fal's defaults. Returns every problem with the
 * field it belongs to, so a form can mark them all and the CLI can name the first.
 */
export function parseRenderParams(
  endpoint: EndpointId,
  raw: unknown,
): { ok: true; params: RenderParams } | { ok: false; issues: ParamsIssue[] } {
  const result = PARAMS_SCHEMAS[endpoint].safeParse(raw)
  if (result.success) return { ok: true, params: result.data as RenderParams }
  return {
    ok: false,
    issues: result.error.issues.map((i) => {
      const field =
        i.path.map(String).join('.') || (i.code === 'unrecognized_keys' ? (i.keys[0] ?? '') : '')
      const problem = i.code === 'unrecognized_keys' ? `is not accepted by ${endpoint}` : i.message
      return { field, problem, message: describeIssue({ field, problem }, 'label') }
    }),
  }
}

/** Output of both endpoints. */
export interface FalFile {
  url: string
  content_type?: string
  file_name?: string
  file_size?: number
}
export interface RenderOutput {
  video: FalFile
  seed: number
  timings?: Record<string, number>
}
