import { afterEach, describe, expect, it } from 'vitest'
import { useRef, useState } from 'react'
import { cleanup, render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useFocusTrap } from './focus-trap'

/** A button that opens a dialog whose field takes focus itself (autoFocus), as a rename box does. */
function Opener() {
  const [open, setOpen] = useState(false)
  const dialog = useRef<HTMLDivElement>(null)
  useFocusTrap(dialog, open, () => setOpen(false))
  return (
    <>
      <button onClick={() => setOpen(true)}>Rename…</button>
      <button>Elsewhere</button>
      {open && (
        <div role="dialog" aria-label="Rename" ref={dialog}>
          <input aria-label="Name" autoFocus />
          <button onClick={() => setOpen(false)}>Done</button>
        </div>
      )}
    </>
  )
}

afterEach(cleanup)

describe('useFocusTrap', () => {
  it('gives focus back to the control that opened it, even when a field took focus on opening', async () => {
    render(<Opener />)
    const rename = screen.getByRole('button', { name: 'Rename…' })
    for (const close of ['{Escape}', 'Done'] as const) {
      await userEvent.click(rename)
      expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' }))
      if (close === 'Done') await userEvent.click(screen.getByRole('button', { name: 'Done' }))
      else await userEvent.keyboard(close)
      expect(screen.queryByRole('dialog')).toBeNull()
      expect(document.activeElement).toBe(rename)
    }
  })

  it('keeps Tab inside while open', async () => {
    render(<Opener />)
    await userEvent.click(screen.getByRole('button', { name: 'Rename…' }))
    await userEvent.tab()
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Done' }))
    await userEvent.tab()
    expect(document.activeElement).toBe(screen.getByRole('textbox', { name: 'Name' }))
  })
})
