/** Electron IPC channel names; the page never sees them, only the preload and the IPC adapter. */
export const CHANNELS = {
  call: 'reanimate:call',
  event: 'reanimate:event',
  grant: 'reanimate:grant-file',
} as const
