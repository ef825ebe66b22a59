/**
 * Picking several clips in the library, as file managers do: a click picks one, Ctrl/Cmd+click
 * toggles one, Shift+click picks the run from the anchor, arrows move and Shift+arrows extend.
 * Pure: `order` is the clips as listed (after the search), by path.
 */
export interface Selection {
  /** The clips picked; only those listed count (see `chosen`). */
  picked: string[]
  /** The clip the editor shows, and where the arrows move from. Picked whenever anything is. */
  lead: string | null
  /** Where a Shift range starts: the last clip clicked or toggled on its own. */
  anchor: string | null
}

export const EMPTY: Selection = { picked: [], lead: null, anchor: null }

/**
 * The picked clips that are listed, in list order. When the editor's clip changed elsewhere (a
 * project opened, a clip located) and is not among the picked, the selection is that clip alone.
 */
export function chosen(order: string[], sel: Selection): string[] {
  const { lead } = sel
  if (lead === null) return []
  if (!sel.picked.includes(lead)) return order.includes(lead) ? [lead] : []
  const picked = new Set(sel.picked)
  return order.filter((p) => picked.has(p))
}

const only = (path: string): Selection => ({ picked: [path], lead: path, anchor: path })

/** The clips from `a` to `b` as listed, both included (either way round). */
function run(order: string[], a: string, b: string): string[] {
  const i = order.indexOf(a)
  const j = order.indexOf(b)
  return order.slice(Math.min(i, j), Math.max(i, j) + 1)
}

/** A click on a listed clip: plain, with Ctrl/Cmd (`toggle`), with Shift (`range`), or both. */
export function click(
  order: string[],
  sel: Selection,
  path: string,
  mods: { toggle?: boolean; range?: boolean } = {},
): Selection {
  if (!order.includes(path)) return sel
  const now = chosen(order, sel)
  if (mods.range) {
    // The run starts at the anchor while it is listed, else at the editor's clip, else here.
    const from = [sel.anchor, sel.lead].find((p) => p !== null && order.includes(p)) ?? path
    const span = run(order, from, path)
    const picked = mods.toggle ? [...new Set([...now, ...span])] : span
    return { picked, lead: path, anchor: from }
  }
  if (mods.toggle) {
    if (!now.includes(path)) return { picked: [...now, path], lead: path, anchor: path }
    const rest = now.filter((p) => p !== path)
    // One clip stays picked: the editor always has a clip to show.
    if (rest.length === 0) return only(path)
    const lead = sel.lead === path ? nearest(order, path, rest) : sel.lead
    return { picked: rest, lead, anchor: path }
  }
  return only(path)
}

/** The clip of `among` closest after `path` in the list, else the closest before it. */
function nearest(order: string[], path: string, among: string[]): string | null {
  const at = order.indexOf(path)
  const after = order.slice(at + 1).find((p) => among.includes(p))
  return after ?? [...order.slice(0, at)].reverse().find((p) => among.includes(p)) ?? null
}

/** Up or Down: the next listed clip alone, or (Shift) the run from the anchor to it. */
export function step(order: string[], sel: Selection, by: 1 | -1, extend: boolean): Selection {
  if (order.length === 0) return sel
  const at = sel.lead === null ? -1 : order.indexOf(sel.lead)
  const next =
    at === -1
      ? order[by > 0 ? 0 : order.length - 1]
      : order[Math.min(order.length - 1, Math.max(0, at + by))]
  if (next === undefined) return sel
  return click(order, sel, next, { range: extend })
}

/** Ctrl/Cmd+A: every listed clip; the editor keeps its clip when it is listed. */
export function all(order: string[], sel: Selection): Selection {
  const first = order[0]
  if (first === undefined) return sel
  const lead = sel.lead !== null && order.includes(sel.lead) ? sel.lead : first
  return { picked: [...order], lead, anchor: sel.anchor ?? lead }
}

/**
 * After the `removed` clips leave: the clip to show next, the first listed one after the last
 * removed, else the last before them; null when none is left.
 */
export function afterRemoval(order: string[], removed: string[]): string | null {
  const gone = new Set(removed)
  const last = order.reduce((at, p, i) => (gone.has(p) ? i : at), -1)
  const rest = (list: string[]) => list.find((p) => !gone.has(p)) ?? null
  return rest(order.slice(last + 1)) ?? rest([...order.slice(0, Math.max(0, last))].reverse())
}
