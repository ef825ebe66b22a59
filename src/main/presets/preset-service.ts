import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import {
  parsePreset,
  PresetFileSchema,
  presetNameProblem,
  type Preset,
  type PresetFile,
} from '../../shared/presets'
import type { SavedPreset } from '../../shared/contract'
import type { FileAccess } from '../access/file-access'
import { writeJsonAtomic } from '../storage/json-file'
import { makeFolder } from '../storage/make-folder'

export interface PresetDialogs {
  /** The OS's save dialog for a preset file (it asks before replacing one); null when cancelled. */
  savePreset?(defaultName: string): Promise<string | null>
  /** The OS's open dialog for a preset file; null when cancelled. */
  pickPreset?(): Promise<string | null>
}

const EXT = '.json'

/** The preset as its file holds it, or an `invalid-params` error in the CLI's own words. */
export function checkedPreset(raw: unknown, where: string): Preset {
  const parsed = parsePreset(raw)
  if (parsed.ok) return parsed.preset
  const first = parsed.issues[0]
  throw new AppError('invalid-params', `${where}: ${first?.message ?? 'not a valid preset'}`, {
    ...(first ? { field: first.field } : {}),
  })
}

/**
 * A valid preset as its file keeps it: the keys the user set (defaults of the format filled in,
 * parameters as given, fal's defaults left to fal), in the format's own order.
 */
export function checkedFile(raw: unknown, where: string): PresetFile {
  checkedPreset(raw, where)
  const { endpoint, params, maxSide, fps, nameTemplate } = PresetFileSchema.parse(raw)
  return { endpoint, params, ...(maxSide !== undefined ? { maxSide } : {}), fps, nameTemplate }
}

function checkName(name: string): string {
  const problem = presetNameProblem(name)
  if (problem) throw new AppError('invalid-input', problem, { field: 'name' })
  return name.trim()
}

/**
 * Presets the user saved: `<data>/presets/<name>.json`, each in exactly the format
 * `reanimate batch --preset FILE` reads. Export and import go through a file the user chose (main's
 * dialog, or a folder or file chosen in `reanimate ui`'s browser), never a path the page made up.
 */
export class PresetService {
  readonly dir: string

  constructor(
    private readonly o: {
      dataDir: string
      access: FileAccess
      dialogs: PresetDialogs
      browserPickers: boolean
    },
  ) {
    this.dir = path.join(o.dataDir, 'presets')
  }

  private file(name: string): string {
    return path.join(this.dir, `${checkName(name)}${EXT}`)
  }

  private async exists(name: string): Promise<boolean> {
    const names = await this.names()
    return names.some((n) => n.toLowerCase() === name.trim().toLowerCase())
  }

  private async names(): Promise<string[]> {
    const entries = await fs.readdir(this.dir).catch(() => [] as string[])
    return entries
      .filter((f) => f.toLowerCase().endsWith(EXT) && !f.startsWith('.'))
      .map((f) => f.slice(0, -EXT.length))
      .sort((a, b) => a.localeCompare(b))
  }

  async list(): Promise<SavedPreset[]> {
    const out: SavedPreset[] = []
    for (const name of await this.names()) {
      try {
        const raw: unknown = JSON.parse(await fs.readFile(path.join(this.dir, name + EXT), 'utf8'))
        out.push({ name, preset: checkedFile(raw, name) })
      } catch (err) {
        out.push({
          name,
          preset: null,
          problem: err instanceof Error ? err.message : String(err),
        })
      }
    }
    return out
  }

  async get(name: string): Promise<PresetFile> {
    const file = this.file(name)
    const text = await fs.readFile(file, 'utf8').catch(() => {
      throw new AppError('not-found', `There is no preset called “${name}”.`, { field: 'name' })
    })
    return checkedFile(JSON.parse(text), name)
  }

  async save(name: string, raw: unknown, replace: boolean): Promise<SavedPreset> {
    const file = this.file(name)
    const preset = checkedFile(raw, 'The preset')
    if (!replace && (await this.exists(name)))
      throw new AppError(
        'invalid-input',
        `A preset called “${name.trim()}” already exists. Choose another name, or replace it.`,
        { field: 'name' },
      )
    await makeFolder(this.dir)
    await writeJsonAtomic(file, preset)
    return { name: name.trim(), preset }
  }

  async rename(from: string, to: string): Promise<SavedPreset> {
    const source = this.file(from)
    const target = this.file(to)
    if (!(await fs.stat(source).catch(() => null)))
      throw new AppError('not-found', `There is no preset called “${from}”.`, { field: 'name' })
    const sameButCase = from.trim().toLowerCase() === to.trim().toLowerCase()
    if (!sameButCase && (await this.exists(to)))
      throw new AppError(
        'invalid-input',
        `A preset called “${to.trim()}” already exists. Choose another name.`,
        { field: 'name' },
      )
    await fs.rename(source, target)
    return { name: to.trim(), preset: await this.get(to) }
  }

  async remove(name: string): Promise<void> {
    await fs.rm(this.file(name), { force: true })
  }

  /** Writes a saved preset where the user chose: main's save dialog, or a folder chosen in the browser. */
  async export(name: string, where: { dir?: string }): Promise<{ path: string } | null> {
    const preset = await this.get(name)
    const fileName = `${name.trim()}${EXT}`
    let target: string | null
    if (this.o.browserPickers) {
      if (!where.dir)
        throw new AppError('invalid-params', 'Choose a folder for the preset file.', {
          field: 'dir',
        })
      target = path.join(this.o.access.check(where.dir), fileName)
      // No OS dialog here to ask before replacing a file: never replace one.
      if (await fs.stat(target).catch(() => null))
        throw new AppError(
          'invalid-input',
          `${fileName} already exists in that folder: choose another folder, or rename the preset first.`,
          { file: target },
        )
    } else {
      if (!this.o.dialogs.savePreset) throw new AppError('forbidden', 'No save dialog here.')
      target = await this.o.dialogs.savePreset(fileName)
      if (!target) return null
    }
    await writeJsonAtomic(target, preset)
    return { path: path.resolve(target) }
  }

  /**
   * Reads a preset file the user chose (main's open dialog, or a file chosen in the browser) and
   * saves it under its file's name, or the next free "name (2)".
   */
  async import(given: string | undefined): Promise<SavedPreset | null> {
    let file: string | null
    if (this.o.browserPickers) {
      if (!given) throw new AppError('invalid-params', 'Choose the preset file.', { field: 'path' })
      file = this.o.access.check(given)
    } else {
      if (!this.o.dialogs.pickPreset) throw new AppError('forbidden', 'No open dialog here.')
      file = await this.o.dialogs.pickPreset()
      if (!file) return null
    }
    const base = path.basename(file)
    let raw: unknown
    try {
      raw = JSON.parse(await fs.readFile(file, 'utf8'))
    } catch (err) {
      throw new AppError(
        'invalid-input',
        `${base}: not a readable JSON preset (${err instanceof Error ? err.message : String(err)})`,
        { file },
      )
    }
    const preset = checkedFile(raw, base)
    const stem = base
      .replace(/\.json$/i, '')
      .replace(/[\\/:*?"<>|]/g, '_')
      .replace(/^\.+/, '')
    const wanted = presetNameProblem(stem) ? 'Imported preset' : stem
    let name = wanted
    for (let n = 2; await this.exists(name); n++) name = `${wanted} (${n})`
    return this.save(name, preset, false)
  }
}
