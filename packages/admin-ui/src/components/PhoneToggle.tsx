import { useId, useState } from 'react'
import type { ReactNode } from 'react'
import { usePhone } from '../lib/use-phone.js'

/**
 * On a phone, what it wraps (the filters) waits behind a button, so the first rows are on the
 * first screen; wider, it is always shown.
 */
export function PhoneToggle({ label, children }: { label: string; children: ReactNode }) {
  const phone = usePhone()
  const [open, setOpen] = useState(false)
  const id = useId()
  if (!phone) return <>{children}</>
  return (
    <>
      <button
        type="button"
        className="button phone-toggle"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        {open ? `Hide ${label.toLowerCase()}` : label}
      </button>
      <div id={id} hidden={!open}>
        {children}
      </div>
    </>
  )
}
