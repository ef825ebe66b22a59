import { create } from 'zustand'

/**
 * files: videos to open; folder: the folder shown; project: a `.reanimate` file (or one of main's
 * recent projects); lora: one `.safetensors` file; preset: one preset `.json` file; save: a folder and a name, answered as
 * [folder, name].
 */
export type BrowseMode = 'files' | 'folder' | 'project' | 'lora' | 'preset' | 'save'

export interface BrowseRequest {
  /** Each request is a new dialog (its key). */
  id: number
  mode: BrowseMode
  title: string
  /** Save mode: the name offered. */
  defaultName?: string
  resolve: (paths: string[] | null) => void
}

interface FileBrowserState {
  request: BrowseRequest | null
  /** Save mode: the name typed. */
  name: string
  setName(name: string): void
  /** Opens the browser; resolves with the chosen paths, or null when cancelled. */
  open(mode: BrowseMode, title: string, defaultName?: string): Promise<string[] | null>
  close(paths: string[] | null): void
}

let requests = 0

/**
 * The file browser of `reanimate ui`, where a browser tab has no file dialog: one request at a
 * time, answered by the FileBrowser component.
 */
export const useFileBrowser = create<FileBrowserState>((set, get) => ({
  request: null,
  name: '',
  setName: (name) => set({ name }),
  open(mode, title, defaultName) {
    get().request?.resolve(null)
    return new Promise((resolve) =>
      set({
        request: { id: ++requests, mode, title, resolve, ...(defaultName ? { defaultName } : {}) },
        name: defaultName ?? '',
      }),
    )
  },
  close(paths) {
    get().request?.resolve(paths)
    set({ request: null })
  },
}))
