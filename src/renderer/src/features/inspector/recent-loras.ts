import { create } from 'zustand'
import type { RecentLora } from '@shared/contract'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from '../library/file-browser-store'

interface RecentLorasState {
  /** Main's recent LoRAs, most recent first (main remembers them when a render starts). */
  loras: RecentLora[]
  load(): Promise<void>
}

export const useRecentLoras = create<RecentLorasState>((set) => ({
  loras: [],
  async load() {
    try {
      set({ loras: (await getBridge().loras.recent({})).loras })
    } catch {
      // Nothing to offer: the field still takes a typed URL or a chosen file.
    }
  },
}))

/**
 * One local `.safetensors` file, chosen by the user: main's dialog in the app, the page's own file
 * browser in `reanimate ui`. Either way main grants the file, so a render may upload it. Null when
 * cancelled.
 */
export async function chooseLoraFile(): Promise<string | null> {
  if (useApp.getState().info?.transport === 'websocket') {
    const chosen = await useFileBrowser.getState().open('lora', 'Choose a LoRA file')
    return chosen?.[0] ?? null
  }
  return (await getBridge().loras.pick({})).path
}
