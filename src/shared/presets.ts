import { z } from 'zod'
import {
  DEFAULT_ENDPOINT,
  ENDPOINT_IDS,
  parseRenderParams,
  type EndpointId,
  type ParamsIssue,
  type RenderParams,
} from './endpoints'
import { applyNameTemplate, nameTemplateProblem } from './name-template'

/**
 * A preset: the same parameters a single clip uses, saved as JSON, used by folder batches.
 * `params` are checked against the chosen endpoint's schema.
 */
export const PresetFileSchema = z
  .object({
    endpoint: z.enum(ENDPOINT_IDS).default(DEFAULT_ENDPOINT),
    params: z.record(z.string(), z.unknown()),
    maxSide: z.union([z.number().int().min(16).max(8192), z.literal('original')]).optional(),
    fps: z.enum(['result', 'source']).default('result'),
    /** Output name without extension; `{stem}` is the source's name. */
    nameTemplate: z.string().min(1).default('{stem}.reanimate'),
  })
  .strict()

export interface Preset {
  endpoint: EndpointId
  params: RenderParams
  maxSide?: number | 'original'
  fps: 'result' | 'source'
  nameTemplate: string
}

export function parsePreset(
  raw: unknown,
): { ok: true; preset: Preset } | { ok: false; issues: ParamsIssue[] } {
  const shape = PresetFileSchema.safeParse(raw)
  if (!shape.success) {
    return {
      ok: false,
      issues: shape.error.issues.map((i) => {
        const field = i.path.map(String).join('.') || 'preset'
        return { field, problem: i.message, message: `${field}: ${i.message}` }
      }),
    }
  }
  // One rule with Settings' "Output name": {stem} in it, a file name and not a folder.
  const nameProblem = nameTemplateProblem(shape.data.nameTemplate)
  if (nameProblem) {
    return {
      ok: false,
      issues: [
        { field: 'nameTemplate', problem: nameProblem, message: `nameTemplate ${nameProblem}` },
      ],
    }
  }
  const params = parseRenderParams(shape.data.endpoint, shape.data.params)
  if (!params.ok)
    return {
      ok: false,
      // A preset file's reader wrote fal's names, so messages use them.
      issues: params.issues.map((i) => {
        const field = `params.${i.field}`
        return { field, problem: i.problem, message: `${field} ${i.problem}` }
      }),
    }
  const { maxSide, ...rest } = shape.data
  return {
    ok: true,
    preset: { ...rest, params: params.params, ...(maxSide !== undefined ? { maxSide } : {}) },
  }
}

// The one rule for an output name (preset files, the batch panel, Settings' Output name, the CLI).
export { DEFAULT_NAME_TEMPLATE, nameTemplateProblem } from './name-template'

/** What a clip's output is called: `{stem}` is the source's name without its extension. */
export function outputName(template: string, stem: string): string {
  return `${applyNameTemplate(template, stem).replace(/[\\/]/g, '_')}.mp4`
}

/** A preset as its JSON file holds it: what `reanimate batch --preset FILE` reads. */
export type PresetFile = z.input<typeof PresetFileSchema>

/** The file's JSON for a valid preset: only the keys of the format, in a stable order. */
export function presetFile(preset: Preset): PresetFile {
  return {
    endpoint: preset.endpoint,
    params: { ...preset.params },
    ...(preset.maxSide !== undefined ? { maxSide: preset.maxSide } : {}),
    fps: preset.fps,
    nameTemplate: preset.nameTemplate,
  }
}

const PRESET_NAME_MAX = 80

/** A saved preset's name (its file is `<name>.json`): a plain word or few, in words when not. */
export function presetNameProblem(name: string): string | null {
  const n = name.trim()
  if (!n) return 'Give the preset a name.'
  if (n.length > PRESET_NAME_MAX)
    return `A preset name can be at most ${PRESET_NAME_MAX} characters.`
  if (/[\\/:*?"<>|]/.test(n) || [...n].some((c) => c.charCodeAt(0) < 32))
    return 'A preset name cannot contain / \\ : * ? " < > | or control characters.'
  if (n.startsWith('.')) return 'A preset name cannot start with a dot.'
  return null
}
