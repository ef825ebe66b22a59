import { useEffect, useState, type RefObject } from 'react'

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])'

/** A radio group is one Tab stop: its checked radio (or its first, when none is). */
function isTabStop(el: HTMLElement, root: HTMLElement): boolean {
  if (!(el instanceof HTMLInputElement) || el.type !== 'radio' || !el.name) return true
  const group = [...root.querySelectorAll<HTMLInputElement>('input[type="radio"]')].filter(
    (r) => r.name === el.name,
  )
  const checked = group.find((r) => r.checked)
  return checked ? checked === el : group[0] === el
}

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) =>
      !el.closest('[hidden], [inert]') &&
      (typeof el.checkVisibility === 'function' ? el.checkVisibility() : true) &&
      isTabStop(el, root),
  )
}

/** Open traps, innermost last: only that one answers Tab and Esc (a file browser over Settings). */
const stack: HTMLElement[] = []

/**
 * A dialog or drawer that takes focus while it is open: focus moves into it (its first field, or
 * `initial`), Tab and Shift+Tab stay inside, Esc closes it, and focus goes back where it was.
 */
export function useFocusTrap(
  ref: RefObject<HTMLElement | null>,
  open: boolean,
  onClose: () => void,
  initial?: string,
): void {
  // Where focus was as the dialog opens, taken while rendering: by the time effects run, a field's
  // autoFocus inside the dialog has already moved it.
  const focusNow = () => (open ? (document.activeElement as HTMLElement | null) : null)
  const [opened, setOpened] = useState(() => ({ open, from: focusNow() }))
  if (opened.open !== open) setOpened({ open, from: focusNow() })
  useEffect(() => {
    const root = ref.current
    if (!open || !root) return
    const before = opened.from
    // A field that took focus itself (autoFocus) keeps it.
    if (!root.contains(document.activeElement)) {
      const first =
        (initial ? root.querySelector<HTMLElement>(initial) : null) ?? focusables(root)[0] ?? root
      if (first === root && !root.hasAttribute('tabindex')) root.setAttribute('tabindex', '-1')
      first.focus()
    }

    stack.push(root)
    function onKey(e: KeyboardEvent) {
      if (!root || stack[stack.length - 1] !== root) return
      if (e.key === 'Escape') {
        // A field's own Esc (a menu, an edit being cancelled) is left to it.
        if (e.defaultPrevented) return
        e.preventDefault()
        e.stopPropagation()
        onClose()
        return
      }
      if (e.key !== 'Tab') return
      const items = focusables(root)
      if (items.length === 0) {
        e.preventDefault()
        return
      }
      const firstItem = items[0] as HTMLElement
      const lastItem = items[items.length - 1] as HTMLElement
      const active = document.activeElement
      if (e.shiftKey && (active === firstItem || !root.contains(active))) {
        e.preventDefault()
        lastItem.focus()
      } else if (!e.shiftKey && (active === lastItem || !root.contains(active))) {
        e.preventDefault()
        firstItem.focus()
      }
    }
    document.addEventListener('keydown', onKey, true)
    return () => {
      document.removeEventListener('keydown', onKey, true)
      stack.splice(stack.indexOf(root), 1)
      // Back where the user was, once the dialog is gone (not when React re-runs the effect on a
      // dialog still open, as StrictMode does), unless the user already put focus somewhere else.
      const active = document.activeElement
      const lost = !active || active === document.body || root.contains(active)
      if (!root.isConnected && lost && before?.isConnected && !root.contains(before)) before.focus()
    }
    // onClose may be a new function each render: the trap stays as it was while open.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open, ref])
}
