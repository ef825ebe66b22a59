import fs from 'node:fs/promises'
import path from 'node:path'
import { AppError } from '../../shared/errors'
import { proxyUrlProblem } from '../../shared/proxy-url'
import type { Settings } from '../../shared/settings'
import { versionOf } from '../media/tools'
import type { SettingsStore } from './settings-store'

export type ToolName = 'ffmpeg' | 'ffprobe'

/** A yes/no question main asks in a native dialog the page cannot draw or answer. */
export interface Confirmation {
  title: string
  message: string
  detail: string
  /** The confirming button's label; the other button cancels. */
  confirm: string
}

export interface MainDialogs {
  confirm(question: Confirmation): Promise<boolean>
  /** A native open dialog for a program; null when the user cancelled. */
  pickProgram(title: string): Promise<string | null>
}

export interface Changed {
  settings: Settings
  changed: boolean
}

const FIELD: Record<ToolName, 'ffmpegPath' | 'ffprobePath'> = {
  ffmpeg: 'ffmpegPath',
  ffprobe: 'ffprobePath',
}

/** `\\server\share\x.exe` or `//server/share/x`: a program that would run from another machine. */
export function isNetworkPath(p: string): boolean {
  return /^(\\\\|\/\/)/.test(p)
}

/**
 * The settings a compromised window must not control: where fal calls (and maybe the key) go, and
 * which programs main runs. The window can only ask; main confirms or picks in its own dialog, and
 * nothing changes without the user's answer there.
 */
export class MainOwnedSettings {
  constructor(
    private readonly store: SettingsStore,
    private readonly dialogs: MainDialogs,
    private readonly onChange: (changed: 'proxy' | 'tools') => void,
  ) {}

  async setFalProxy(url: string | null, sendKey: boolean): Promise<Changed> {
    if (url === null) {
      const settings = this.store.setMainOwned({ falProxy: null })
      this.onChange('proxy')
      return { settings, changed: true }
    }
    const problem = proxyUrlProblem(url)
    if (problem) throw new AppError('invalid-params', `fal proxy URL: ${problem}`)
    const host = new URL(url).host
    const yes = await this.dialogs.confirm({
      title: 'Use a fal proxy?',
      message: `Send your renders through ${host}?`,
      detail: sendKey
        ? `${host} will receive your clips, prompts and your fal key, and can spend your fal credit. Only continue if you run this proxy or trust who does.`
        : `${host} will receive your clips and prompts, but not your fal key: the proxy must add its own. Only continue if you run this proxy or trust who does.`,
      confirm: sendKey ? `Use ${host} and send my key` : `Use ${host}`,
    })
    if (!yes) return { settings: this.store.get(), changed: false }
    const settings = this.store.setMainOwned({ falProxy: { url, sendKey } })
    this.onChange('proxy')
    return { settings, changed: true }
  }

  /** Main's own picker; the chosen file runs once (`-version`) to prove it is the right program. */
  async pickTool(tool: ToolName): Promise<Changed> {
    const picked = await this.dialogs.pickProgram(`Choose the ${tool} program`)
    if (!picked) return { settings: this.store.get(), changed: false }
    // Either separator: a Windows share path must be named right on any OS.
    const name = picked.split(/[\\/]/).pop() ?? picked
    if (isNetworkPath(picked) || !path.isAbsolute(picked))
      throw new AppError(
        'invalid-input',
        `${name}: is on a network share. Copy ${tool} to this computer and choose that copy.`,
        { file: picked },
      )
    const st = await fs.stat(picked).catch(() => null)
    if (!st?.isFile())
      throw new AppError('invalid-input', `${name}: not a program file. Choose ${tool} itself.`, {
        file: picked,
      })
    if (!(await versionOf(picked)))
      throw new AppError(
        'ffmpeg-missing',
        `${name}: does not run as ${tool}. Choose ${tool} itself.`,
        {
          file: picked,
        },
      )
    const settings = this.store.setMainOwned({ [FIELD[tool]]: picked })
    this.onChange('tools')
    return { settings, changed: true }
  }

  resetTool(tool: ToolName): Settings {
    const settings = this.store.setMainOwned({ [FIELD[tool]]: null })
    this.onChange('tools')
    return settings
  }
}
