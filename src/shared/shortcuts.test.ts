import { describe, expect, it } from 'vitest'
import { isShortcutId, SHORTCUT_DEFS } from './shortcuts'

/** tinykeys' `$mod+Shift+s` as Electron writes it: `CmdOrCtrl+Shift+S`. */
const asAccelerator = (bind: string) =>
  bind
    .split('+')
    .map((k) => (k === '$mod' ? 'CmdOrCtrl' : k.length === 1 ? k.toUpperCase() : k))
    .join('+')

describe('the shortcut table', () => {
  it('names each command once', () => {
    const ids = SHORTCUT_DEFS.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.every(isShortcutId)).toBe(true)
    expect(isShortcutId('__proto__')).toBe(false)
  })

  it("an accelerator is the same keys as the command's first binding, and only in the menu", () => {
    for (const s of SHORTCUT_DEFS) {
      if (!s.accelerator) continue
      expect(s.menu, s.id).toBeDefined()
      expect(s.accelerator, s.id).toBe(asAccelerator(s.bind[0] ?? ''))
    }
  })

  it('a command without keys is in the menu, else nothing could run it', () => {
    for (const s of SHORTCUT_DEFS) if (!s.bind.length) expect(s.menu, s.id).toBeDefined()
  })
})
