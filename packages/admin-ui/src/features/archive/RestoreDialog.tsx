import { useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { describeError } from '../../lib/errors.js'
import { newOperationId } from '../../lib/operation-id.js'
import { messages } from '../dead-letters/actions.js'
import { useOperationProgress } from '../dead-letters/api/get-operation.js'
import { useRestoreMessages } from './api/restore.js'

export interface RestoreDialogProps {
  ids: string[]
  onClose: () => void
  onDone: () => void
}

/** Confirm, restore with progress, then say how many went back. */
export function RestoreDialog({ ids, onClose, onDone }: RestoreDialogProps) {
  const [operationId, setOperationId] = useState<string | null>(null)
  const restore = useRestoreMessages()
  const progress = useOperationProgress(operationId, restore.isPending)
  const r = restore.data
  return (
    <ConfirmDialog
      open
      title={`Restore ${messages(ids.length)}`}
      confirmLabel="Restore"
      busy={restore.isPending}
      progress={progress}
      done={restore.isSuccess}
      canConfirm={restore.isIdle}
      error={restore.isError ? describeError(restore.error) : null}
      onClose={onClose}
      onConfirm={() => {
        const id = newOperationId()
        setOperationId(id)
        restore.mutate({ ids, operationId: id }, { onSuccess: onDone })
      }}
      testId="restore-dialog"
    >
      {r ? (
        <p role="status" className="notice ok" data-testid="operation-result">
          Restored {messages(r.restored)}.
          {r.alreadyRestored.length
            ? ` ${messages(r.alreadyRestored.length)} were restored before.`
            : ''}
          {r.notFound.length ? ` ${messages(r.notFound.length)} are no longer in the archive.` : ''}
          {r.failed.length
            ? ` ${messages(r.failed.length)} failed: ${r.failed[0]?.reason ?? ''}`
            : ''}
        </p>
      ) : (
        <p>Put {messages(ids.length)} back into the dead-letter queues they were removed from?</p>
      )}
    </ConfirmDialog>
  )
}
