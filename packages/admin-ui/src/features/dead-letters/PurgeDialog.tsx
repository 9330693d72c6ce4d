import { useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { describeError } from '../../lib/errors.js'
import { newOperationId } from '../../lib/operation-id.js'
import { messages } from './actions.js'
import { useOperationProgress } from './api/get-operation.js'
import { usePurgeQueue } from './api/purge.js'

export interface PurgeDialogProps {
  vhost: string
  queue: string
  count: number
  onClose: () => void
  onDone: () => void
}

/** Purge empties the whole DLQ: the operator types the queue name before the button wakes up. */
export function PurgeDialog({ vhost, queue, count, onClose, onDone }: PurgeDialogProps) {
  const [typed, setTyped] = useState('')
  const [operationId, setOperationId] = useState<string | null>(null)
  const purge = usePurgeQueue()
  const progress = useOperationProgress(operationId, purge.isPending)

  return (
    <ConfirmDialog
      open
      title={`Purge ${queue}`}
      confirmLabel="Purge"
      danger
      busy={purge.isPending}
      progress={progress}
      done={purge.isSuccess}
      canConfirm={typed === queue && purge.isIdle}
      error={purge.isError ? describeError(purge.error) : null}
      onClose={onClose}
      onConfirm={() => {
        const id = newOperationId()
        setOperationId(id)
        purge.mutate({ vhost, queue, confirm: typed, operationId: id }, { onSuccess: onDone })
      }}
      testId="purge-dialog"
    >
      {purge.data ? (
        <p role="status" className="notice ok" data-testid="operation-result">
          Purged {messages(purge.data.purged)} (kept in the archive).
        </p>
      ) : (
        <>
          <p>
            This removes all {messages(count)} in <strong>{queue}</strong>. They are copied to the
            archive first and can be restored from there.
          </p>
          <label className="field">
            <span>
              Type <code>{queue}</code> to confirm
            </span>
            <input
              type="text"
              aria-label="Queue name to confirm purge"
              data-testid="purge-confirm-input"
              autoComplete="off"
              spellCheck={false}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              data-autofocus
            />
          </label>
        </>
      )}
    </ConfirmDialog>
  )
}
