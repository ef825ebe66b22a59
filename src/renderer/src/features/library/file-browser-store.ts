import { create } from 'zustand'

export type BrowseMode = 'files' | 'folder'

interface Request {
  mode: BrowseMode
  title: string
  resolve: (paths: string[] | null) => void
}

interface FileBrowserState {
  request: Request | null
  /** Opens the browser; resolves with the chosen paths, or null when cancelled. */
  open(mode: BrowseMode, title: string): Promise<string[] | null>
  close(paths: string[] | null): void
}

/**
 * The file browser of `reanimate ui`, where a browser tab has no file dialog: one request at a
 * time, answered by the FileBrowser component.
 */
export const useFileBrowser = create<FileBrowserState>((set, get) => ({
  request: null,
  open(mode, title) {
    get().request?.resolve(null)
    return new Promise((resolve) => set({ request: { mode, title, resolve } }))
  },
  close(paths) {
    get().request?.resolve(paths)
    set({ request: null })
  },
}))
