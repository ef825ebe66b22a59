import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { readWindowState, WINDOW_STATE_FILE, WindowStateSaver } from './window-state-file'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-window-state-'))
})
afterEach(async () => {
  vi.useRealTimers()
  await fs.rm(dir, { recursive: true, force: true })
})

const state = (width: number) => ({
  bounds: { x: 10, y: 20, width, height: 700 },
  maximized: false,
})

describe('the window state file', () => {
  it('reads as undefined when missing or broken', async () => {
    expect(readWindowState(dir)).toBeUndefined()
    await fs.writeFile(path.join(dir, WINDOW_STATE_FILE), '{ not json')
    expect(readWindowState(dir)).toBeUndefined()
  })

  it('saves the last of a burst of changes, once, after a pause', async () => {
    vi.useFakeTimers()
    const saver = new WindowStateSaver(path.join(dir, 'data'), 500)
    saver.update(state(1000))
    saver.update(state(1100))
    expect(readWindowState(path.join(dir, 'data'))).toBeUndefined()
    await vi.advanceTimersByTimeAsync(500)
    vi.useRealTimers()
    await saver.flush()
    expect(readWindowState(path.join(dir, 'data'))).toEqual(state(1100))
  })

  it('flush saves a pending change at once', async () => {
    const saver = new WindowStateSaver(dir, 60_000)
    saver.update(state(1234))
    await saver.flush()
    expect(readWindowState(dir)).toEqual(state(1234))
    // Nothing left in the folder but the file itself.
    expect(await fs.readdir(dir)).toEqual([WINDOW_STATE_FILE])
  })
})
