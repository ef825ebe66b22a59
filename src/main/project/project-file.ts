import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import {
  PROJECT_FORMAT,
  PROJECT_VERSION,
  ProjectFileSchema,
  type ProjectClip,
  type ProjectFile,
  type ProjectView,
} from '../../shared/project/project-schema'
import { writeJsonAtomic } from '../storage/json-file'

/** A project as the window and the CLI hold it: the file's content with absolute paths. */
export interface ProjectPayload {
  clips: ProjectClip[]
  view?: ProjectView
}

/** Reads a `.reanimate` file: every error names the file and the field, in words. */
export function parseProject(text: string, file: string): ProjectPayload {
  const name = path.basename(file)
  const fail = (message: string) => new AppError('invalid-input', `${name}: ${message}`, { file })
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw fail('not a Reanimate project (it is not JSON)')
  }
  const head = json as { format?: unknown; version?: unknown }
  if (head?.format !== PROJECT_FORMAT) throw fail('not a Reanimate project')
  if (typeof head.version === 'number' && head.version > PROJECT_VERSION)
    throw fail(
      `made by a newer Reanimate (project version ${head.version}; this one reads up to ${PROJECT_VERSION}). Update Reanimate to open it.`,
    )
  const parsed = ProjectFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw fail(`${issue?.path.join('.') || 'project'}: ${issue?.message ?? 'not valid'}`)
  }
  const dir = path.dirname(path.resolve(file))
  // Relative paths are relative to the project's folder; written with / on every OS.
  const absolute = (p: string) => (path.isAbsolute(p) ? p : path.resolve(dir, ...p.split('/')))
  return {
    clips: parsed.data.clips.map((c) => ({
      ...c,
      path: absolute(c.path),
      takes: c.takes.map((t) => ({ ...t, output: absolute(t.output) })),
    })),
    ...(parsed.data.view ? { view: parsed.data.view } : {}),
  }
}

/** The file's content: paths inside the project's folder are written relative to it. */
export function formatProject(project: ProjectPayload, file: string): ProjectFile {
  const dir = path.dirname(path.resolve(file))
  const relative = (p: string) => {
    const rel = path.relative(dir, p)
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : p
  }
  return {
    format: PROJECT_FORMAT,
    version: PROJECT_VERSION,
    clips: project.clips.map((c) => ({
      ...c,
      path: relative(c.path),
      takes: c.takes.map((t) => ({ ...t, output: relative(t.output) })),
    })),
    ...(project.view ? { view: project.view } : {}),
  }
}

export async function readProject(file: string): Promise<ProjectPayload> {
  const text = await fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new AppError(
      'not-found',
      err.code === 'ENOENT'
        ? `${path.basename(file)}: no such project`
        : `${path.basename(file)}: could not be read (${err.code ?? err.message})`,
      { file },
    )
  })
  return parseProject(text, file)
}

/** Written atomically: a crash leaves the old project or the new one, never half of one. */
export async function writeProject(file: string, project: ProjectPayload): Promise<void> {
  await writeJsonAtomic(file, formatProject(project, file))
}
