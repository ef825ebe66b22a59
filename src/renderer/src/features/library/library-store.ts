import { create } from 'zustand'

/**
 * The library's multi-selection: the clips picked and where a Shift range starts. The clip the
 * editor shows is the app store's `selected`, the selection's lead (see `selection.ts`).
 */
export const useLibrary = create<{ picked: string[]; anchor: string | null }>(() => ({
  picked: [],
  anchor: null,
}))
