import { useMemo } from 'react'
import {
  ENDPOINTS,
  parseRenderParams,
  type EndpointId,
  type ParamsIssue,
  type RenderParams,
} from '@shared/endpoints'
import {
  isSeedLocked,
  segmentIndexAt,
  segmentsOf,
  type ClipDoc,
  type ParamField,
  type ParamsDraft as DocParams,
} from '@shared/project/clip'
import { useApp } from '../../stores/app-store'
import { useProject, type ProjectDoc } from '../project/project-store'
import { useTimeline } from '../timeline/timeline-store'
import { useJobs } from '../queue/jobs-store'
import type { ErrorInfo } from '@shared/errors'
import type { Job } from '@shared/jobs'

/** What the form shows: every field present (loras as a list, prompt as text). */
export type ParamsDraft = DocParams & { prompt: string; loras: NonNullable<DocParams['loras']> }

/**
 * What the inspector edits: the selected clip, or the segment under the playhead when the clip
 * has several, or (no clip) the template new clips start from. Derived from the project document,
 * never stored twice.
 */
export interface InspectorView {
  clip: ClipDoc | null
  /** The segment edited, by index; null when editing the whole clip or the template. */
  segment: number | null
  segmentCount: number
  endpoint: EndpointId
  /** The values in effect: the clip's, with the segment's overrides on top. */
  draft: ParamsDraft
  /** Fields the segment sets itself (marked, with a reset). */
  overridden: ReadonlySet<ParamField>
  /** Field → message, from the shared schema. */
  issues: Record<string, string>
  /** The validated parameters (defaults filled) when there are no issues. */
  valid: RenderParams | null
  /** The clip's (or template's) seed lock: true = every Render uses the seed as it is. */
  seedLocked: boolean
}

export function validate(
  endpoint: EndpointId,
  draft: DocParams,
): Pick<InspectorView, 'issues' | 'valid'> {
  // Empty fields mean "fal's default"; the base model only exists on the standard endpoint.
  const raw = Object.fromEntries(
    Object.entries({ loras: [], prompt: '', ...draft }).filter(
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

export function inspectorView(
  doc: Pick<ProjectDoc, 'clips' | 'template'>,
  selectedPath: string | undefined,
  segment: number | null,
): InspectorView {
  const clip = doc.clips.find((c) => c.path === selectedPath) ?? null
  const segs = clip ? segmentsOf(clip) : []
  const seg = segment !== null && segs.length > 1 ? segs[segment] : undefined
  const base = clip ? clip.params : doc.template.params
  const own = seg?.params ?? {}
  const endpoint = clip?.endpoint ?? doc.template.endpoint
  const draft: ParamsDraft = { loras: [], ...base, ...own, prompt: own.prompt ?? base.prompt ?? '' }
  return {
    clip,
    segment: seg ? segment : null,
    segmentCount: segs.length,
    endpoint,
    draft,
    overridden: new Set(Object.keys(own) as ParamField[]),
    seedLocked: isSeedLocked(clip ?? doc.template),
    ...validate(endpoint, draft),
  }
}

/** The segment under the playhead of the selected clip, when it has several. */
function segmentAt(clip: ClipDoc | undefined, playhead: number): number | null {
  return clip && segmentsOf(clip).length > 1 ? segmentIndexAt(clip, playhead) : null
}

/** The inspector's view as of now, for actions (Render, Batch). */
export function inspectorNow(): InspectorView {
  const doc = useProject.getState()
  const selected = useApp.getState().selected
  const clip = doc.clips.find((c) => c.path === selected)
  return inspectorView(doc, selected, segmentAt(clip, useTimeline.getState().playhead))
}

export interface InspectorActions {
  setEndpoint(endpoint: EndpointId): void
  update(patch: Partial<ParamsDraft>): void
  /** Back to the clip's value (segments only). */
  reset(field: ParamField): void
  /** Locks or unlocks the seed of the clip (all its segments), or of the template. */
  setSeedLocked(locked: boolean): void
}

/**
 * fal refused the clip's newest take naming a field (a 422): that control is marked with fal's
 * words until the next take.
 */
function falRefusal(clip: ClipDoc | undefined, jobs: readonly Job[]): ErrorInfo | null {
  const newest = clip?.takes.at(-1)
  const job = newest ? jobs.find((j) => j.id === newest.jobId) : undefined
  return job?.status === 'failed' && job.error?.field ? job.error : null
}

export function useParams(): InspectorView & InspectorActions {
  const clips = useProject((s) => s.clips)
  const template = useProject((s) => s.template)
  const selected = useApp((s) => s.selected)
  const clip = clips.find((c) => c.path === selected)
  const segment = useTimeline((s) => segmentAt(clip, s.playhead))
  const refused = useJobs((s) => falRefusal(clip, s.jobs))
  return useMemo(() => {
    const found = inspectorView({ clips, template }, selected, segment)
    const view =
      refused?.field && !found.issues[refused.field]
        ? { ...found, issues: { ...found.issues, [refused.field]: refused.message } }
        : found
    const id = view.clip?.id ?? null
    const { setParam, setEndpoint, setSeedLocked } = useProject.getState()
    return {
      ...view,
      setEndpoint: (endpoint) => setEndpoint(id, endpoint),
      update(patch) {
        for (const [field, value] of Object.entries(patch))
          setParam(id, view.segment, field as ParamField, value as never)
      },
      reset: (field) => setParam(id, view.segment, field, undefined),
      setSeedLocked: (locked) => setSeedLocked(id, locked),
    }
  }, [clips, template, selected, segment, refused])
}
