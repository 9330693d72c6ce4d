import type { ReactNode } from 'react'
import { Dialog } from './Dialog.js'
import { ProgressBar } from './ProgressBar.js'

export interface ConfirmDialogProps {
  open: boolean
  title: string
  children: ReactNode
  confirmLabel: string
  onConfirm: () => void
  onClose: () => void
  /** Red confirm button, for what cannot be undone from this screen. */
  danger?: boolean
  /** The operation is running: confirm is disabled and progress shows. */
  busy?: boolean
  /** `done` of `total` while busy, when the server reports it. */
  progress?: { done: number; total: number } | null | undefined
  /** The operation has finished: only the way out is offered. */
  done?: boolean
  /** Confirm stays disabled while false (e.g. until the queue name is typed). */
  canConfirm?: boolean
  error?: string | null | undefined
  testId?: string
}

/** Every bulk action goes through one of these: say what will happen, then show progress. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, onConfirm, onClose, danger, busy, progress } = props
  const canConfirm = props.canConfirm ?? true
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      {...(props.testId ? { testId: props.testId } : {})}
    >
      <form
        className="dialog-form"
        onSubmit={(event) => {
          event.preventDefault()
          if (canConfirm && !busy) onConfirm()
        }}
      >
        <div className="dialog-content">{children}</div>
        {busy ? <ProgressBar label={`${title} in progress`} progress={progress ?? null} /> : null}
        {props.error ? (
          <p role="alert" className="notice error">
            {props.error}
          </p>
        ) : null}
        <footer className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            {props.done ? 'Done' : busy ? 'Hide' : 'Cancel'}
          </button>
          {props.done ? null : (
            <button
              type="submit"
              className={`button ${danger ? 'danger' : 'primary'}`}
              disabled={!canConfirm || busy}
              data-testid="confirm-action"
            >
              {confirmLabel}
            </button>
          )}
        </footer>
      </form>
    </Dialog>
  )
}
