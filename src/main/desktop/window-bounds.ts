export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

/** What is remembered of the window between launches. */
export interface WindowState {
  bounds: Rect
  maximized: boolean
}

/** Where the window opens: with no x/y, Electron centres it on the primary display. */
export interface WindowPlacement {
  bounds: Partial<Pick<Rect, 'x' | 'y'>> & Pick<Rect, 'width' | 'height'>
  maximized: boolean
}

export const DEFAULT_SIZE = { width: 1440, height: 900 } as const
export const MIN_SIZE = { width: 960, height: 600 } as const
/** How much of the title bar must lie on a display for the window to be reachable there. */
const GRIP = { width: 100, height: 24 } as const
const SLACK = 16

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)

/** A saved state as read from disk (anything), or null when it is not one. */
export function parseWindowState(value: unknown): WindowState | null {
  if (!value || typeof value !== 'object') return null
  const { bounds, maximized } = value as Record<string, unknown>
  if (!bounds || typeof bounds !== 'object' || typeof maximized !== 'boolean') return null
  const { x, y, width, height } = bounds as Record<string, unknown>
  if (!isInt(x) || !isInt(y) || !isInt(width) || !isInt(height)) return null
  if (width <= 0 || height <= 0) return null
  return { bounds: { x, y, width, height }, maximized }
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/** The default size, shrunk to the primary display's work area when that is smaller. */
function defaults(primary: Rect | undefined, maximized: boolean): WindowPlacement {
  const width = Math.min(DEFAULT_SIZE.width, primary?.width ?? Infinity)
  const height = Math.min(DEFAULT_SIZE.height, primary?.height ?? Infinity)
  return { bounds: { width, height }, maximized }
}

/**
 * Where to open the window, from the saved state and the displays' work areas (primary first).
 * The saved bounds are used when the title bar lies on a display (a monitor unplugged, or a
 * smaller resolution since, would leave it off-screen and unreachable), shrunk to that display if
 * it is now smaller; otherwise the default size, centred. Maximised is kept either way.
 */
export function placeWindow(saved: unknown, workAreas: readonly Rect[]): WindowPlacement {
  const state = parseWindowState(saved)
  if (!state) return defaults(workAreas[0], false)
  const b = state.bounds
  const titleBar: Rect = { x: b.x, y: b.y, width: b.width, height: GRIP.height }
  const area = workAreas.find(
    (a) =>
      overlap(titleBar, a).width >= Math.min(GRIP.width, b.width) &&
      // Windows reports a few pixels outside the work area for its invisible borders.
      b.y >= a.y - SLACK &&
      b.y + GRIP.height <= a.y + a.height,
  )
  if (!area) return defaults(workAreas[0], state.maximized)
  const width = Math.max(Math.min(b.width, area.width), Math.min(MIN_SIZE.width, area.width))
  const height = Math.max(Math.min(b.height, area.height), Math.min(MIN_SIZE.height, area.height))
  // Pulled back inside the display when the shrink (or a display's change) pushed an edge out.
  const x = Math.min(Math.max(b.x, area.x), area.x + area.width - width)
  const y = Math.min(Math.max(b.y, area.y), area.y + area.height - height)
  return { bounds: { x, y, width, height }, maximized: state.maximized }
}
