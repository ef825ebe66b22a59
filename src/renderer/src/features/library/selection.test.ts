import { describe, expect, it } from 'vitest'
import { afterRemoval, all, chosen, click, EMPTY, step, type Selection } from './selection'

const order = ['a', 'b', 'c', 'd', 'e']
const one = (p: string): Selection => ({ picked: [p], lead: p, anchor: p })

describe('library selection', () => {
  it('a plain click picks that clip alone, and it becomes the editor’s clip and the anchor', () => {
    const sel = click(order, { picked: ['a', 'b'], lead: 'b', anchor: 'a' }, 'd')
    expect(sel).toEqual(one('d'))
    expect(chosen(order, sel)).toEqual(['d'])
  })

  it('Ctrl/Cmd+click adds a clip and shows it; again takes it out and shows the nearest picked', () => {
    let sel = click(order, one('b'), 'd', { toggle: true })
    expect(chosen(order, sel)).toEqual(['b', 'd'])
    expect(sel.lead).toBe('d')
    sel = click(order, sel, 'a', { toggle: true })
    expect(chosen(order, sel)).toEqual(['a', 'b', 'd'])
    // Taking out the shown clip shows the next picked one after it.
    sel = click(order, sel, 'a', { toggle: true })
    expect(chosen(order, sel)).toEqual(['b', 'd'])
    expect(sel.lead).toBe('b')
    // Taking out another one keeps the shown clip.
    sel = click(order, sel, 'd', { toggle: true })
    expect(sel).toMatchObject({ picked: ['b'], lead: 'b', anchor: 'd' })
  })

  it('Ctrl/Cmd+click on the only picked clip keeps it: the editor always has a clip', () => {
    expect(click(order, one('c'), 'c', { toggle: true })).toEqual(one('c'))
  })

  it('Shift+click picks the run from the anchor, either way round, and the anchor stays', () => {
    let sel = click(order, one('b'), 'd', { range: true })
    expect(chosen(order, sel)).toEqual(['b', 'c', 'd'])
    expect(sel).toMatchObject({ lead: 'd', anchor: 'b' })
    sel = click(order, sel, 'a', { range: true })
    expect(chosen(order, sel)).toEqual(['a', 'b'])
    expect(sel).toMatchObject({ lead: 'a', anchor: 'b' })
  })

  it('Ctrl/Cmd+Shift+click adds the run to what is picked', () => {
    const sel = click(order, click(order, one('a'), 'c', { toggle: true }), 'e', {
      toggle: true,
      range: true,
    })
    expect(chosen(order, sel)).toEqual(['a', 'c', 'd', 'e'])
  })

  it('ranges follow the listed (searched) order, not the order clips were added in', () => {
    const searched = ['e', 'b', 'd']
    const sel = click(searched, one('e'), 'd', { range: true })
    expect(chosen(searched, sel)).toEqual(['e', 'b', 'd'])
    // A clip the search hides is neither counted nor a range's start.
    expect(chosen(['b', 'd'], sel)).toEqual(['b', 'd'])
    expect(chosen(['b', 'd'], click(['b', 'd'], one('a'), 'd', { range: true }))).toEqual(['d'])
  })

  it('a click on a clip that is not listed changes nothing', () => {
    const sel = one('a')
    expect(click(['a', 'b'], sel, 'z')).toBe(sel)
  })

  it('when the editor’s clip changed elsewhere, the selection is that clip alone', () => {
    expect(chosen(order, { picked: ['a', 'b'], lead: 'd', anchor: 'a' })).toEqual(['d'])
    expect(chosen(order, EMPTY)).toEqual([])
  })

  it('arrows move one clip, stop at the ends, and Shift+arrows extend from the anchor', () => {
    let sel = step(order, one('b'), 1, false)
    expect(sel).toEqual(one('c'))
    sel = step(order, sel, 1, true)
    sel = step(order, sel, 1, true)
    expect(chosen(order, sel)).toEqual(['c', 'd', 'e'])
    expect(step(order, sel, 1, true)).toEqual(sel)
    sel = step(order, sel, -1, true)
    expect(chosen(order, sel)).toEqual(['c', 'd'])
    expect(step(order, one('a'), -1, false)).toEqual(one('a'))
    // Nothing shown yet: Down starts at the top, Up at the bottom.
    expect(step(order, EMPTY, 1, false)).toEqual(one('a'))
    expect(step(order, EMPTY, -1, false)).toEqual(one('e'))
    expect(step([], EMPTY, 1, false)).toBe(EMPTY)
  })

  it('Ctrl/Cmd+A picks every listed clip and keeps the shown one', () => {
    const sel = all(['b', 'c'], one('c'))
    expect(chosen(['b', 'c'], sel)).toEqual(['b', 'c'])
    expect(sel.lead).toBe('c')
    expect(all(['b', 'c'], one('a')).lead).toBe('b')
  })

  it('after a removal, shows the clip after the removed ones, else the one before, else none', () => {
    expect(afterRemoval(order, ['b', 'c'])).toBe('d')
    expect(afterRemoval(order, ['b', 'e'])).toBe('d')
    expect(afterRemoval(order, ['d', 'e'])).toBe('c')
    expect(afterRemoval(order, order)).toBeNull()
  })
})
