import { useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { describeError } from '../../lib/errors.js'
import { newOperationId } from '../../lib/operation-id.js'
import { messages } from './actions.js'
import type { PendingAction } from './actions.js'
import { useDeleteMessages } from './api/delete.js'
import { useOperationProgress } from './api/get-operation.js'
import { useRequeueMessages } from './api/requeue.js'

export interface OperationDialogProps {
  vhost: string
  queue: string
  action: Exclude<PendingAction, { kind: 'purge' }>
  onClose: () => void
  /** Called with the ids that left the queue, so the selection can drop them. */
  onDone: (ids: string[]) => void
}

/** Confirm, then run a requeue or delete with live progress, then say what happened. */
export function OperationDialog({ vhost, queue, action, onClose, onDone }: OperationDialogProps) {
  const [operationId, setOperationId] = useState<string | null>(null)
  const requeue = useRequeueMessages()
  const remove = useDeleteMessages()
  const mutation = action.kind === 'delete' ? remove : requeue
  const progress = useOperationProgress(operationId, mutation.isPending)

  const count = action.kind === 'requeue-all' ? action.count : action.ids.length
  const title =
    action.kind === 'delete'
      ? `Delete ${messages(count)}`
      : action.kind === 'requeue-all'
        ? 'Requeue all messages'
        : `Requeue ${messages(count)}`

  const run = () => {
    const id = newOperationId()
    setOperationId(id)
    if (action.kind === 'delete') {
      remove.mutate(
        { vhost, queue, ids: action.ids, operationId: id },
        { onSuccess: (result) => onDone(action.ids.filter((x) => !result.notFound.includes(x))) },
      )
    } else {
      const ids = action.kind === 'requeue-all' ? 'all' : action.ids
      requeue.mutate(
        { vhost, queue, ids, operationId: id },
        {
          onSuccess: (result) => {
            const failed = new Set(result.failed.map((f) => f.id))
            onDone(action.kind === 'requeue' ? action.ids.filter((x) => !failed.has(x)) : [])
          },
        },
      )
    }
  }

  let outcome: string | null = null
  if (requeue.data) {
    const r = requeue.data
    outcome = `Requeued ${messages(r.requeued)}.`
    if (r.notFound.length) outcome += ` ${messages(r.notFound.length)} no longer in the queue.`
    if (r.failed.length) {
      outcome += ` ${messages(r.failed.length)} stayed in the queue: ${r.failed[0]?.reason ?? ''}`
    }
  } else if (remove.data) {
    const r = remove.data
    outcome = `Deleted ${messages(r.deleted)} (kept in the archive).`
    if (r.notFound.length) outcome += ` ${messages(r.notFound.length)} no longer in the queue.`
  }

  return (
    <ConfirmDialog
      open
      title={title}
      confirmLabel={action.kind === 'delete' ? 'Delete' : 'Requeue'}
      danger={action.kind === 'delete'}
      busy={mutation.isPending}
      progress={progress}
      done={outcome !== null}
      canConfirm={mutation.isIdle}
      error={mutation.isError ? describeError(mutation.error) : null}
      onConfirm={run}
      onClose={onClose}
      testId="operation-dialog"
    >
      {outcome ? (
        <p role="status" className="notice ok" data-testid="operation-result">
          {outcome}
        </p>
      ) : action.kind === 'delete' ? (
        <p>
          Delete {messages(count)} from <strong>{queue}</strong>? They are copied to the archive
          first and can be restored from there.
        </p>
      ) : action.kind === 'requeue-all' ? (
        <p>
          Send every message now in <strong>{queue}</strong> (about {messages(count)}) back to its
          original queue? Messages that arrive meanwhile are left alone.
        </p>
      ) : (
        <p>
          Send {messages(count)} from <strong>{queue}</strong> back to their original queues?
        </p>
      )}
    </ConfirmDialog>
  )
}
