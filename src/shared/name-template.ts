import { z } from 'zod'

/** The default result name: `clip.mov` → `clip.reanimate.mp4`. */
export const DEFAULT_NAME_TEMPLATE = '{stem}.reanimate'

/**
 * Why an output name template cannot be used, in the user's words; null when it can. One rule for
 * Settings' "Output name" and for batch presets: `{stem}` (the source's name) must be in it, or
 * every clip would get the same name; it names a file, not a folder.
 */
export function nameTemplateProblem(template: string): string | null {
  const t = template.trim()
  if (!t) return 'is empty. Use {stem} for the clip’s name, for example {stem}.reanimate'
  if (t.length > 200) return 'is too long (at most 200 characters)'
  if (!t.includes('{stem}')) return 'must contain {stem}, or every clip would get the same name'
  if (/[\\/]/.test(t)) return 'names a file, not a folder: remove / and \\'
  // eslint-disable-next-line no-control-regex
  if (/[<>:"|?*\x00-\x1f]/.test(t)) return 'has characters a file name cannot have (< > : " | ? *)'
  if (/\{(?!stem\})[^}]*\}/.test(t)) return 'only knows {stem}'
  if (/^\.|\.$/.test(t)) return 'must not start or end with a dot'
  return null
}

export const NameTemplateSchema = z
  .string()
  .trim()
  .refine((t) => !nameTemplateProblem(t), {
    error: (issue) => nameTemplateProblem(String(issue.input)) ?? 'is not a usable name',
  })

/** `{stem}.reanimate` with `clip` → `clip.reanimate`. */
export function applyNameTemplate(template: string, stem: string): string {
  return template.trim().replaceAll('{stem}', stem)
}
