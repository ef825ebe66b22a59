import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { SHORTCUT_TABLE } from '@shared/shortcuts'
import { useProject } from '../project/project-store'
import { CURRENT, useBatch } from '../batch/batch-store'
import { panelToggles, runCommand, SHORTCUTS, useShortcutsHelp } from './shortcuts'

describe('shortcuts: one table for keys, the ? list and the menu', () => {
  beforeEach(() => {
    useProject.setState({ clips: [] })
    useProject.temporal.getState().clear()
    useShortcutsHelp.setState({ open: false })
  })
  afterEach(() => {
    document.body.innerHTML = ''
    vi.restoreAllMocks()
  })

  it('binds every command of the shared table, in its order, with its keys', () => {
    expect(SHORTCUTS.map((s) => [s.id, s.keys, s.bind])).toEqual(
      SHORTCUT_TABLE.map((s) => [s.id, s.keys, s.bind]),
    )
    for (const s of SHORTCUTS) expect(typeof s.run).toBe('function')
  })

  it('a menu command runs what its keys run', () => {
    runCommand('shortcuts-help')
    expect(useShortcutsHelp.getState().open).toBe(true)
    const toggle = vi.fn()
    panelToggles.queue = toggle
    runCommand('toggle-queue')
    expect(toggle).toHaveBeenCalledOnce()
  })

  it('Export Preset… with no saved preset chosen opens the batch panel to choose one', async () => {
    useBatch.setState({ open: false, preset: CURRENT, presets: [] })
    runCommand('export-preset')
    await vi.waitFor(() => expect(useBatch.getState().open).toBe(true))
  })

  it('ignores a name that is not a command', () => {
    expect(() => runCommand('rm -rf')).not.toThrow()
    expect(() => runCommand(undefined)).not.toThrow()
  })

  it("Undo from the menu undoes the project's edit when no text field has the focus", () => {
    useProject.getState().addClip('/c/a.mp4', 4)
    runCommand('undo', document.body)
    expect(useProject.getState().clips).toEqual([])
    runCommand('redo', document.body)
    expect(useProject.getState().clips).toHaveLength(1)
  })

  it("Undo from the menu undoes the typing in a text field, not the project's edit", () => {
    useProject.getState().addClip('/c/a.mp4', 4)
    const input = document.createElement('input')
    document.body.append(input)
    const exec = vi.fn(() => true)
    Object.defineProperty(document, 'execCommand', { value: exec, configurable: true })
    runCommand('undo', input)
    expect(exec).toHaveBeenCalledWith('undo')
    expect(useProject.getState().clips).toHaveLength(1)
  })
})
