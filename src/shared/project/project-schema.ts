import { z } from 'zod'
import { ENDPOINT_IDS } from '../endpoints'
import { CROSSFADE_FRAMES } from '../frames'

/**
 * A `.reanimate` project on disk, version 1: clips with their range, parameters (fal's names),
 * segments and takes; paths relative to the project file or absolute; times in source seconds.
 * Ranges of values are checked when rendering, by the endpoints' schema, not here: a project with
 * a value out of range still opens and shows the field marked.
 */
export const PROJECT_FORMAT = 'reanimate-project'
export const PROJECT_VERSION = 1
export const PROJECT_EXTENSION = '.reanimate'

const params = z
  .object({
    prompt: z.string().max(10_000),
    negative_prompt: z.string().max(10_000),
    num_inference_steps: z.number(),
    guidance_scale: z.number(),
    select_every_nth_frame: z.number(),
    seed: z.number(),
    loras: z.array(z.object({ path: z.string(), scale: z.number().optional() }).strict()).max(20),
    base_model: z.string(),
  })
  .partial()
  .strict()

const seconds = z.number().min(0).max(1e7)

/** "Crossfade at borders", in result frames: in a project file and in a render request alike. */
export const CrossfadeFramesSchema = z
  .number()
  .int()
  .min(CROSSFADE_FRAMES.min)
  .max(CROSSFADE_FRAMES.max)

const segment = z.object({ start: seconds, end: seconds, params: params.default({}) }).strict()

const take = z
  .object({
    jobId: z.string().min(1),
    output: z.string().min(1),
    seed: z.number().optional(),
    createdAt: z.string(),
  })
  .strict()

export const ProjectClipSchema = z
  .object({
    path: z.string().min(1).max(4096),
    in: seconds,
    out: seconds,
    endpoint: z.enum(ENDPOINT_IDS),
    params: params.default({}),
    segments: z.array(segment).max(200).default([]),
    /** "Crossfade at borders" in result frames; absent = hard cuts (files before it had none). */
    crossfadeFrames: CrossfadeFramesSchema.optional(),
    takes: z.array(take).max(1000).default([]),
    /** false: every Render draws a fresh seed. Absent (files before it existed) or true: locked. */
    seedLocked: z.boolean().optional(),
  })
  .strict()
  .refine((c) => c.out > c.in, { message: 'out must be after in', path: ['out'] })
  .superRefine((c, ctx) => {
    c.segments.forEach((s, i) => {
      const expected = i === 0 ? c.in : c.segments[i - 1]?.end
      if (s.start !== expected)
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i, 'start'],
          message: `segment ${i + 1} starts at ${s.start} s, not at ${expected} s: segments follow each other from in to out`,
        })
      if (s.end <= s.start)
        ctx.addIssue({
          code: 'custom',
          path: ['segments', i, 'end'],
          message: `segment ${i + 1} ends before it starts`,
        })
    })
    const last = c.segments.at(-1)
    if (last && last.end !== c.out)
      ctx.addIssue({
        code: 'custom',
        path: ['segments', c.segments.length - 1, 'end'],
        message: `the last segment ends at ${last.end} s, not at out (${c.out} s)`,
      })
  })

/** What the editor restores beyond the document: which clip is selected, the zoom, the playhead. */
export const ProjectViewSchema = z
  .object({
    selected: z.number().int().min(0).optional(),
    pxPerSec: z.number().positive().max(100_000).optional(),
    playhead: seconds.optional(),
  })
  .strict()

export const ProjectFileSchema = z
  .object({
    format: z.literal(PROJECT_FORMAT),
    version: z.literal(PROJECT_VERSION),
    clips: z.array(ProjectClipSchema).max(1000),
    view: ProjectViewSchema.optional(),
  })
  .strict()

export type ProjectFile = z.infer<typeof ProjectFileSchema>
export type ProjectClip = z.infer<typeof ProjectClipSchema>
export type ProjectView = z.infer<typeof ProjectViewSchema>
