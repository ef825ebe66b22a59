import { describe, expect, it } from 'vitest'
import { DEFAULT_SIZE, parseWindowState, placeWindow, type Rect } from './window-bounds'

const laptop: Rect = { x: 0, y: 25, width: 1728, height: 1092 }
const rightMonitor: Rect = { x: 1728, y: 0, width: 2560, height: 1440 }
const saved = (bounds: Rect, maximized = false) => ({ bounds, maximized })

describe('parseWindowState', () => {
  it.each([
    null,
    'x',
    {},
    { bounds: { x: 0, y: 0, width: 800, height: 600 } },
    { bounds: { x: 0, y: 0, width: 800 }, maximized: false },
    { bounds: { x: 0.5, y: 0, width: 800, height: 600 }, maximized: false },
    { bounds: { x: 0, y: 0, width: 0, height: 600 }, maximized: false },
    { bounds: { x: 0, y: 0, width: Infinity, height: 600 }, maximized: true },
  ])('refuses %j', (value) => {
    expect(parseWindowState(value)).toBeNull()
  })

  it('accepts a saved state', () => {
    const s = saved({ x: -10, y: 40, width: 1200, height: 800 }, true)
    expect(parseWindowState(s)).toEqual(s)
  })
})

describe('placeWindow', () => {
  it('opens at the default size, centred, with nothing saved or something broken', () => {
    expect(placeWindow(undefined, [laptop])).toEqual({ bounds: DEFAULT_SIZE, maximized: false })
    expect(placeWindow({ bounds: 'x' }, [laptop])).toEqual({
      bounds: DEFAULT_SIZE,
      maximized: false,
    })
  })

  it('restores bounds that are on a display, on any display', () => {
    const here = { x: 100, y: 80, width: 1300, height: 850 }
    expect(placeWindow(saved(here), [laptop, rightMonitor])).toEqual({
      bounds: here,
      maximized: false,
    })
    const there = { x: 2000, y: 100, width: 1600, height: 1000 }
    expect(placeWindow(saved(there, true), [laptop, rightMonitor])).toEqual({
      bounds: there,
      maximized: true,
    })
  })

  it('falls back to the default when the display it was on is gone, keeping maximised', () => {
    const there = { x: 2000, y: 100, width: 1600, height: 1000 }
    expect(placeWindow(saved(there, true), [laptop])).toEqual({
      bounds: DEFAULT_SIZE,
      maximized: true,
    })
  })

  it('falls back when only a sliver or no title bar is on screen', () => {
    // Only 40 px of the title bar on the laptop's right edge.
    expect(
      placeWindow(saved({ x: 1688, y: 100, width: 1200, height: 800 }), [laptop]).bounds,
    ).toEqual(DEFAULT_SIZE)
    // Title bar above the top of the work area (under the menu bar): it could not be dragged.
    expect(
      placeWindow(saved({ x: 100, y: -500, width: 1200, height: 800 }), [laptop]).bounds,
    ).toEqual(DEFAULT_SIZE)
  })

  it("allows Windows' few pixels of invisible border outside the work area", () => {
    const screen: Rect = { x: 0, y: 0, width: 1920, height: 1040 }
    expect(placeWindow(saved({ x: -7, y: -7, width: 1200, height: 800 }), [screen])).toEqual({
      bounds: { x: 0, y: 0, width: 1200, height: 800 },
      maximized: false,
    })
  })

  it('shrinks bounds larger than their display now is, and keeps them inside it', () => {
    const small: Rect = { x: 0, y: 0, width: 1280, height: 720 }
    expect(placeWindow(saved({ x: 200, y: 10, width: 1600, height: 1000 }), [small])).toEqual({
      bounds: { x: 0, y: 0, width: 1280, height: 720 },
      maximized: false,
    })
  })

  it('fits the default size into a small primary display', () => {
    const small: Rect = { x: 0, y: 0, width: 1280, height: 720 }
    expect(placeWindow(undefined, [small]).bounds).toEqual({ width: 1280, height: 720 })
  })
})
