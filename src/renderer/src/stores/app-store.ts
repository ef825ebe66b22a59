import { create } from 'zustand'
import type { AppInfo } from '@shared/contract'
import type { Settings, SettingsPatch } from '@shared/settings'
import type { KeyStatus } from '@shared/secrets'
import type { ProbeResult } from '@shared/media'
import { getBridge } from '../bridge'
import { useProject } from '../features/project/project-store'

export interface Clip {
  path: string
  name: string
  probe?: ProbeResult
  error?: string
  /** Taken out of the project by the user: not listed, even unreadable, unless undo brings it back. */
  removed?: boolean
}

/**
 * What a notice is about, when fixing that problem elsewhere should clear it: a "no fal key" error
 * goes once a key (or a proxy) is saved, an ffmpeg error once ffmpeg is chosen.
 */
export type NoticeTopic = 'fal-key' | 'tools' | 'output-dir' | 'services'

export interface Notice {
  id: number
  kind: 'info' | 'error'
  text: string
  topic?: NoticeTopic
}

/** The topic an error from main is about, by its code or field: fixing that clears it. */
export function topicOf(err: unknown): NoticeTopic | undefined {
  const e = err as { code?: string; field?: string } | null
  if (!e || typeof e !== 'object') return undefined
  if (e.code === 'key-missing' || e.code === 'key-rejected') return 'fal-key'
  if (e.code === 'ffmpeg-missing') return 'tools'
  if (e.field === 'outputDir') return 'output-dir'
  return undefined
}

interface AppState {
  ready: boolean
  info?: AppInfo
  settings?: Settings
  keyStatus?: KeyStatus
  clips: Clip[]
  selected?: string
  settingsOpen: boolean
  notices: Notice[]
  init(): Promise<void>
  updateSettings(patch: SettingsPatch): Promise<void>
  /** Main asks the user in its own dialog; resolves false when they said no. */
  setFalProxy(url: string | null, sendKey: boolean): Promise<boolean>
  pickTool(tool: 'ffmpeg' | 'ffprobe'): Promise<void>
  /**
   * The folder renders go to, chosen in main's dialog, or (`reanimate ui`) a folder just chosen in
   * the page's browser. Resolves false when nothing changed.
   */
  pickOutputDir(path?: string): Promise<boolean>
  resetTool(tool: 'ffmpeg' | 'ffprobe'): Promise<void>
  setFalKey(key: string): Promise<void>
  clearFalKey(): Promise<void>
  addClips(paths: string[]): Promise<void>
  select(path: string): void
  /** Forgets a clip that could not be read (a readable one leaves with the project document). */
  forget(path: string): void
  /** Marks clips the user took out of the project (undo puts them back in the document). */
  markRemoved(paths: string[]): void
  openSettings(open: boolean): void
  /**
   * An error stays until dismissed, or until its `topic` is resolved; info fades. The same text
   * again replaces the earlier notice instead of stacking.
   */
  notify(kind: Notice['kind'], text: string, topic?: NoticeTopic): void
  dismiss(id: number): void
  /** The problem is fixed: its notices go. */
  resolve(topic: NoticeTopic): void
}

let noticeId = 0
const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** Clips being read by ffprobe, by path: a second request for one waits for the same reading. */
const reading = new Map<string, Promise<void>>()

export const useApp = create<AppState>((set, get) => {
  async function read(p: string): Promise<void> {
    let patch: Partial<Clip>
    try {
      const probe = await getBridge().media.probe({ path: p })
      patch = { probe }
      // Readable: it joins the project document (an undoable edit) over its whole length.
      useProject.getState().addClip(p, probe.durationSec)
    } catch (err) {
      patch = { error: errorText(err) }
    }
    set({ clips: get().clips.map((c) => (c.path === p ? { ...c, ...patch } : c)) })
  }
  return {
    ready: false,
    clips: [],
    settingsOpen: false,
    notices: [],

    async init() {
      const api = getBridge()
      api.on('settings.changed', (settings) => set({ settings }))
      api.on('secrets.changed', (keyStatus) => {
        set({ keyStatus })
        if (keyStatus.source !== 'none' || keyStatus.proxy) get().resolve('fal-key')
      })
      try {
        const [info, settings, keyStatus] = await Promise.all([
          api.app.info({}),
          api.settings.get({}),
          api.secrets.status({}),
        ])
        set({ info, settings, keyStatus, ready: true })
        get().resolve('services')
      } catch (err) {
        set({ ready: true })
        get().notify(
          'error',
          `Could not reach Reanimate's services: ${errorText(err)}. Restart Reanimate; if it happens again, check that it is still running.`,
          'services',
        )
      }
    },

    /** Settings shows a refusal next to its control, so it is not a notice too. */
    async updateSettings(patch) {
      set({ settings: await getBridge().settings.update(patch) })
    },

    async setFalProxy(url, sendKey) {
      const { settings, changed } = await getBridge().settings.setFalProxy({ url, sendKey })
      set({ settings })
      if (!changed) get().notify('info', 'The fal proxy was not changed.')
      return changed
    },

    async pickTool(tool) {
      try {
        const { settings, changed } = await getBridge().settings.pickTool({ tool })
        set({ settings })
        if (changed) {
          const info = await getBridge().app.info({})
          set({ info })
          if (info.tools.ffmpeg && info.tools.ffprobe) get().resolve('tools')
        }
      } catch (err) {
        get().notify('error', errorText(err), 'tools')
      }
    },

    async pickOutputDir(path) {
      const { settings, changed } = await getBridge().settings.pickOutputDir(path ? { path } : {})
      set({ settings })
      if (changed) get().resolve('output-dir')
      return changed
    },

    async resetTool(tool) {
      set({ settings: await getBridge().settings.resetTool({ tool }) })
      set({ info: await getBridge().app.info({}) })
    },

    async setFalKey(key) {
      const keyStatus = await getBridge().secrets.setFalKey({ key })
      set({ keyStatus })
      get().resolve('fal-key')
      get().notify(
        'info',
        keyStatus.storage === 'os'
          ? 'fal key saved, encrypted by your system.'
          : 'fal key set for this session.',
      )
    },

    async clearFalKey() {
      set({ keyStatus: await getBridge().secrets.clearFalKey({}) })
      get().notify('info', 'fal key removed.')
    },

    async addClips(paths) {
      const known = new Map(get().clips.map((c) => [c.path, c]))
      const inDoc = new Set(useProject.getState().clips.map((c) => c.path))
      // A clip read before but no longer in the project (removed, or unreadable then) is added again.
      const again = new Set(
        paths.filter((p) => {
          const c = known.get(p)
          return c && (c.probe || c.error) && !inDoc.has(p)
        }),
      )
      const fresh = [...new Set(paths.filter((p) => p && !known.has(p)))]
      const name = (p: string) => p.split(/[\\/]/).pop() ?? p
      if (fresh.length || again.size) {
        set({
          clips: [
            ...get().clips.map((c) => (again.has(c.path) ? { path: c.path, name: c.name } : c)),
            ...fresh.map((p) => ({ path: p, name: name(p) })),
          ],
        })
        if (!get().selected) set({ selected: fresh[0] ?? [...again][0] })
      }
      for (const p of [...fresh, ...again]) reading.set(p, read(p))
      // Resolves once every clip asked for is read, including those another call is still reading.
      await Promise.all(paths.map((p) => reading.get(p)))
    },

    select(path) {
      set({ selected: path })
    },

    forget(path) {
      set({
        clips: get().clips.filter((c) => c.path !== path),
        ...(get().selected === path ? { selected: undefined } : {}),
      })
    },

    markRemoved(paths) {
      const gone = new Set(paths)
      set({ clips: get().clips.map((c) => (gone.has(c.path) ? { ...c, removed: true } : c)) })
    },

    openSettings(open) {
      set({ settingsOpen: open })
    },

    notify(kind, text, topic) {
      const id = ++noticeId
      const others = get().notices.filter((n) => !(n.kind === kind && n.text === text))
      set({ notices: [...others, { id, kind, text, ...(topic ? { topic } : {}) }].slice(-5) })
      if (kind === 'info') setTimeout(() => get().dismiss(id), 5000)
    },

    dismiss(id) {
      set({ notices: get().notices.filter((n) => n.id !== id) })
    },

    resolve(topic) {
      if (get().notices.some((n) => n.topic === topic))
        set({ notices: get().notices.filter((n) => n.topic !== topic) })
    },
  }
})
