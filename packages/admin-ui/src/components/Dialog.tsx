import { useEffect, useId, useRef } from 'react'
import type { ReactNode } from 'react'

export interface DialogProps {
  open: boolean
  title: string
  onClose: () => void
  children: ReactNode
  /** `drawer` slides in from the right and is wider; `modal` is centred. */
  variant?: 'modal' | 'drawer'
  testId?: string
}

/**
 * A modal on the native `<dialog>`: `showModal()` makes the rest of the page inert (so focus
 * stays inside) and Escape closes it; focus returns to the element that opened it.
 */
export function Dialog({ open, title, onClose, children, variant = 'modal', testId }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    if (open && !dialog.open) {
      const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
      dialog.showModal()
      // The dialog would focus its first button (Close): the field the operator types in
      // next, when there is one, says so with `data-autofocus`.
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus()
      return () => {
        if (dialog.open) dialog.close()
        opener?.focus()
      }
    }
    return undefined
  }, [open])

  return (
    <dialog
      ref={ref}
      className={`dialog ${variant}`}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault()
        onClose()
      }}
      onClick={(event) => {
        // A click on the backdrop lands on the dialog element itself.
        if (event.target === ref.current) onClose()
      }}
    >
      {open ? (
        <div className="dialog-body">
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button
              type="button"
              className="button ghost icon"
              aria-label="Close"
              onClick={onClose}
            >
              ✕
            </button>
          </header>
          {children}
        </div>
      ) : null}
    </dialog>
  )
}
