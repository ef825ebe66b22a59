import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { useFileBrowser } from './file-browser-store'

/** The OS's dialog (the desktop app, shown by main); in `reanimate ui`, the page's file browser. */
export async function chooseClipFiles(): Promise<string[]> {
  return useApp.getState().info?.transport === 'websocket'
    ? ((await useFileBrowser.getState().open('files', 'Open clips')) ?? [])
    : (await getBridge().library.pickFiles({})).paths
}

/** Open clips…: the library's button and the File menu. */
export async function pickClips(): Promise<void> {
  const { addClips, notify } = useApp.getState()
  try {
    await addClips(await chooseClipFiles())
  } catch (err) {
    notify('error', err instanceof Error ? err.message : String(err))
  }
}
