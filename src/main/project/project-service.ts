import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { PROJECT_EXTENSION } from '../../shared/project/project-schema'
import type { FileAccess } from '../access/file-access'
import { VIDEO_EXTENSIONS } from '../jobs/batch'
import { writeJsonAtomic } from '../storage/json-file'
import { describeRecentProjects } from '../settings/recents'
import type { RecentProject } from '../../shared/contract'
import {
  formatProject,
  parseProject,
  readProject,
  writeProject,
  type ProjectPayload,
} from './project-file'

export interface ProjectDialogs {
  /** The OS's open dialog for a project; null when cancelled. */
  pickProject?(): Promise<string | null>
  /** The OS's save dialog (it asks before replacing a file); null when cancelled. */
  saveProject?(defaultName: string): Promise<string | null>
}

export interface Opened {
  path: string
  project: ProjectPayload
  /** Sources that are not on disk: shown as missing, never dropped. */
  missing: string[]
}

export interface Restored extends Omit<Opened, 'path'> {
  /** The project file this work belongs to, or null for an unsaved one. */
  path: string | null
  savedAt: string
}

const isVideo = (p: string) => VIDEO_EXTENSIONS.has(path.extname(p).toLowerCase())
const withExtension = (p: string) =>
  p.toLowerCase().endsWith(PROJECT_EXTENSION) ? p : `${p}${PROJECT_EXTENSION}`

/**
 * Project files for the window. It may write only where the user chose (main's save dialog, a
 * folder chosen in `reanimate ui`'s browser, or a project opened or saved this session), and a
 * project opens the videos it names, as if the user had opened each.
 */
export class ProjectService {
  /** Projects the user opened or saved this session: the window may save to them again. */
  private readonly approved = new Set<string>()
  /** Sources read from project files the user opened: a moved one stays in the project, unreachable. */
  private readonly fromProjects = new Set<string>()
  private readonly autosaveFile: string

  constructor(
    private readonly o: {
      dataDir: string
      access: FileAccess
      dialogs: ProjectDialogs
      /** `reanimate ui`: files chosen in the page's browser (granted by files.choose). */
      browserPickers: boolean
      /** Main's own list of projects the user opened or saved (a main-owned setting). */
      recent: { list(): readonly string[]; remember(file: string): void }
    },
  ) {
    this.autosaveFile = path.join(o.dataDir, `autosave${PROJECT_EXTENSION}.json`)
  }

  /** The user opened or saved it: the window may save there again, and open it again later. */
  private approve(file: string): void {
    this.approved.add(path.resolve(file))
    this.o.recent.remember(path.resolve(file))
  }

  /**
   * The OS opened this project with Reanimate (a double-click, "Open with", the command line): the
   * user chose it, so the window may open it by path. Only main calls this, never the window.
   */
  allowOpen(file: string): string {
    const resolved = path.resolve(file)
    this.approved.add(resolved)
    return resolved
  }

  private async opened(file: string, project: ProjectPayload): Promise<Opened> {
    this.approve(file)
    return {
      path: path.resolve(file),
      project: this.grantSources(project),
      missing: await this.missing(project),
    }
  }

  private grantSources(project: ProjectPayload): ProjectPayload {
    for (const c of project.clips) {
      this.fromProjects.add(path.resolve(c.path))
      if (isVideo(c.path)) this.o.access.grant(c.path)
    }
    return project
  }

  /**
   * What the window saves must be what the user chose: a clip it can reach, or one read from a
   * project they opened (a missing source is kept, never dropped). Otherwise writing a path into a
   * project and opening it again would grant the window any file it names.
   */
  private checkClips(project: ProjectPayload): void {
    for (const c of project.clips) {
      if (this.fromProjects.has(path.resolve(c.path)) || this.o.access.isAllowed(c.path)) continue
      throw new AppError(
        'forbidden',
        `${path.basename(c.path)} is not a clip you opened in Reanimate, so it cannot be saved in the project. Add it with Open clips….`,
        { file: c.path },
      )
    }
  }

  private async missing(project: ProjectPayload): Promise<string[]> {
    const gone: string[] = []
    for (const c of project.clips)
      if (!(await fs.stat(c.path).catch(() => null))?.isFile()) gone.push(c.path)
    return gone
  }

  async open(given?: string): Promise<Opened | null> {
    let file: string | null
    if (given) {
      // A path from the window: one the user opened or saved before (this session, or in main's
      // own recent list, which the window cannot write), or chose in the page's browser.
      file = path.resolve(given)
      const before =
        this.approved.has(file) || (path.isAbsolute(given) && this.o.recent.list().includes(file))
      if (!before) {
        if (!this.o.browserPickers)
          throw new AppError(
            'forbidden',
            `${path.basename(file)} is not a project you opened or saved in Reanimate. Use Open project… to choose it.`,
            { file },
          )
        this.o.access.check(file)
      }
    } else {
      if (!this.o.dialogs.pickProject)
        throw new AppError('forbidden', 'Choose the project in the file browser.')
      file = await this.o.dialogs.pickProject()
      if (!file) return null
    }
    return this.opened(file, await readProject(file))
  }

  async save(file: string, project: ProjectPayload): Promise<{ path: string }> {
    const target = path.resolve(file)
    if (!this.approved.has(target))
      throw new AppError('forbidden', 'Use Save As… to choose where the project goes.')
    this.checkClips(project)
    await writeProject(target, project)
    this.approve(target)
    return { path: target }
  }

  /** Main's recent projects, most recent first, a moved or deleted one marked missing. */
  recent(): Promise<RecentProject[]> {
    return describeRecentProjects(this.o.recent.list())
  }

  async saveAs(
    project: ProjectPayload,
    where: { dir?: string; name?: string },
  ): Promise<{ path: string } | null> {
    this.checkClips(project)
    const name = withExtension(path.basename(where.name?.trim() || 'Untitled'))
    let target: string | null
    if (this.o.browserPickers) {
      if (!where.dir)
        throw new AppError('invalid-params', 'Choose a folder for the project.', { field: 'dir' })
      const dir = this.o.access.check(where.dir)
      target = path.join(dir, name)
      // No OS dialog here to ask before replacing a file: never replace one.
      if (await fs.stat(target).catch(() => null))
        throw new AppError(
          'invalid-input',
          `${name} already exists in that folder: choose another name.`,
          {
            file: target,
            field: 'name',
          },
        )
    } else {
      if (!this.o.dialogs.saveProject) throw new AppError('forbidden', 'No save dialog here.')
      target = await this.o.dialogs.saveProject(name)
      if (!target) return null
      target = withExtension(target)
    }
    this.approved.add(path.resolve(target))
    await writeProject(target, project)
    this.approve(target)
    return { path: path.resolve(target) }
  }

  /**
   * The window's work so far, kept in the data folder so a crash or a restart loses nothing. Only
   * videos the window may already reach are kept: restoring never opens anything new.
   */
  async autosave(project: ProjectPayload, file: string | null): Promise<{ savedAt: string }> {
    const savedAt = new Date().toISOString()
    const kept = { ...project, clips: project.clips.filter((c) => this.o.access.isAllowed(c.path)) }
    const belongsTo = file && this.approved.has(path.resolve(file)) ? path.resolve(file) : null
    await writeJsonAtomic(this.autosaveFile, {
      savedAt,
      path: belongsTo,
      project: formatProject(kept, this.autosaveFile),
    })
    return { savedAt }
  }

  async restore(): Promise<Restored | null> {
    const text = await fs.readFile(this.autosaveFile, 'utf8').catch(() => null)
    if (!text) return null
    try {
      const saved = JSON.parse(text) as { savedAt: string; path: string | null; project: unknown }
      const project = parseProject(JSON.stringify(saved.project), this.autosaveFile)
      if (saved.path) this.approved.add(saved.path)
      return {
        path: saved.path,
        savedAt: saved.savedAt,
        project: this.grantSources(project),
        missing: await this.missing(project),
      }
    } catch {
      // A damaged autosave is not worth failing the start over: start empty.
      return null
    }
  }
}
