import { create } from 'zustand'
import {
  DEFAULT_ENDPOINT,
  ENDPOINTS,
  parseRenderParams,
  type EndpointId,
  type ParamsIssue,
  type RenderParams,
} from '@shared/endpoints'

/** What the user typed, before validation: numbers may be half-typed, so fields are kept loose. */
export interface ParamsDraft {
  prompt: string
  negative_prompt?: string
  num_inference_steps?: number
  guidance_scale?: number
  select_every_nth_frame?: number
  seed?: number
  loras: { path: string; scale?: number }[]
  base_model?: string
}

interface ParamsState {
  endpoint: EndpointId
  draft: ParamsDraft
  /** Field → message, from the shared schema, recomputed on every change. */
  issues: Record<string, string>
  /** The validated parameters (defaults filled) when there are no issues. */
  valid: RenderParams | null
  setEndpoint(endpoint: EndpointId): void
  update(patch: Partial<ParamsDraft>): void
}

function validate(endpoint: EndpointId, draft: ParamsDraft): Pick<ParamsState, 'issues' | 'valid'> {
  // Empty fields mean "fal's default"; the base model only exists on the standard endpoint.
  const raw = Object.fromEntries(
    Object.entries(draft).filter(
      ([k, v]) => v !== undefined && (k !== 'base_model' || ENDPOINTS[endpoint].baseModels),
    ),
  )
  const result = parseRenderParams(endpoint, raw)
  if (result.ok) return { issues: {}, valid: result.params }
  return {
    issues: Object.fromEntries(result.issues.map((i: ParamsIssue) => [i.field, i.message])),
    valid: null,
  }
}

const initialDraft: ParamsDraft = { prompt: '', loras: [] }

export const useParams = create<ParamsState>((set, get) => ({
  endpoint: DEFAULT_ENDPOINT,
  draft: initialDraft,
  ...validate(DEFAULT_ENDPOINT, initialDraft),
  setEndpoint(endpoint) {
    set({ endpoint, ...validate(endpoint, get().draft) })
  },
  update(patch) {
    const draft = { ...get().draft, ...patch }
    set({ draft, ...validate(get().endpoint, draft) })
  },
}))
