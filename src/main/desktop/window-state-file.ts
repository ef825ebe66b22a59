import fs from 'node:fs'
import path from 'node:path'
import { writeJsonAtomic } from '../storage/json-file'
import type { WindowState } from './window-bounds'

/** The window's last size, position and maximised state, in the data folder. */
export const WINDOW_STATE_FILE = 'window-state.json'

/** What was saved, unchecked (placeWindow checks it); undefined when there is nothing readable. */
export function readWindowState(dataDir: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, WINDOW_STATE_FILE), 'utf8')) as unknown
  } catch {
    return undefined
  }
}

/**
 * Saves the window's state a moment after it last changed (moves and resizes come in bursts),
 * atomically, so a crash leaves the old state or the new one. `flush` saves a pending change now.
 */
export class WindowStateSaver {
  private pending: WindowState | null = null
  private timer: ReturnType<typeof setTimeout> | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly dataDir: string,
    private readonly delayMs = 500,
    private readonly warn: (message: string) => void = (m) => console.warn(m),
  ) {}

  update(state: WindowState): void {
    this.pending = state
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.flush(), this.delayMs)
  }

  flush(): Promise<void> {
    clearTimeout(this.timer)
    const state = this.pending
    this.pending = null
    if (state) {
      // One write at a time, in order: the last state is the one left on disk.
      this.writing = this.writing.then(() =>
        fs.promises
          .mkdir(this.dataDir, { recursive: true })
          .then(() => writeJsonAtomic(path.join(this.dataDir, WINDOW_STATE_FILE), state))
          .then(
            () => undefined,
            (err: unknown) => this.warn(`[window] could not save its size: ${String(err)}`),
          ),
      )
    }
    return this.writing
  }
}
