import { useDeferredValue, useState } from 'react'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { describeError } from '../../lib/errors.js'
import { formatCount } from '../../lib/format.js'
import { messages } from './actions.js'
import { useDryRun, useStartOperation } from './api/start-operation.js'
import type { BulkAction } from './api/start-operation.js'
import type { Selection } from './store-filter.js'

/** A bulk action the operator asked for, on a group, the filter or the selection. */
export interface BulkRequest {
  action: BulkAction
  selection: Selection
  /** What it covers, in words: "the group TypeError: …", "3 selected messages". */
  scope: string
  /** How the covered messages failed, largest first: they fail again unless the cause is fixed. */
  reasons: readonly { label: string; count: number }[]
}

export interface BulkDialogProps {
  vhost: string
  queue: string
  request: BulkRequest
  onClose: () => void
  /** The operation was accepted: its id, for the progress panel. */
  onStarted: (id: string) => void
}

const VERB: Record<BulkAction, string> = { requeue: 'Requeue', move: 'Move', delete: 'Delete' }

const MAX_RATE = 100_000

/** Dry run first (how many, where to, why they failed), then a paced run on the server. */
export function BulkDialog({ vhost, queue, request, onClose, onStarted }: BulkDialogProps) {
  const [action, setAction] = useState<BulkAction>(request.action)
  const [target, setTarget] = useState('')
  const [rateText, setRateText] = useState('')
  const deferredTarget = useDeferredValue(target.trim())
  const rate = rateText.trim() === '' ? undefined : Number(rateText)
  const rateValid = rate === undefined || (Number.isInteger(rate) && rate >= 1 && rate <= MAX_RATE)
  const needsTarget = action === 'move' && deferredTarget === ''
  const input = {
    vhost,
    queue,
    action,
    selection: request.selection,
    target: action === 'delete' ? undefined : deferredTarget || undefined,
  }
  const dryRun = useDryRun(input, !needsTarget)
  const start = useStartOperation()
  const matched = dryRun.data?.matched ?? 0
  const targets = Object.entries(dryRun.data?.targets ?? {}).sort((a, b) => b[1] - a[1])

  return (
    <ConfirmDialog
      open
      title={`${VERB[action]} ${request.scope}`}
      confirmLabel={dryRun.data ? `${VERB[action]} ${messages(matched)}` : VERB[action]}
      danger={action === 'delete'}
      busy={start.isPending}
      canConfirm={!!dryRun.data && matched > 0 && rateValid && !needsTarget && !dryRun.isFetching}
      error={start.isError ? describeError(start.error) : null}
      onConfirm={() =>
        start.mutate(
          { ...input, target: action === 'delete' ? undefined : target.trim() || undefined, rate },
          { onSuccess: (view) => onStarted(view.id) },
        )
      }
      onClose={onClose}
      testId="bulk-dialog"
    >
      <div className="dialog-fields">
        <label className="field">
          <span>Action</span>
          <select value={action} onChange={(e) => setAction(e.target.value as BulkAction)}>
            <option value="requeue">Requeue to the original queue</option>
            <option value="move">Move to another queue</option>
            <option value="delete">Delete (kept in the archive)</option>
          </select>
        </label>
        {action === 'delete' ? null : (
          <label className="field">
            <span>{action === 'move' ? 'Target queue' : 'Target queue (optional)'}</span>
            <input
              type="text"
              value={target}
              required={action === 'move'}
              placeholder={action === 'move' ? '' : "each message's original queue"}
              onChange={(e) => setTarget(e.target.value)}
            />
          </label>
        )}
        <label className="field">
          <span>Rate in messages per second (optional)</span>
          <input
            type="number"
            min={1}
            max={MAX_RATE}
            step={1}
            value={rateText}
            placeholder="as fast as the broker confirms"
            aria-invalid={!rateValid}
            onChange={(e) => setRateText(e.target.value)}
          />
        </label>
      </div>
      <div aria-live="polite" data-testid="dry-run">
        {needsTarget ? (
          <p className="muted">Name the queue to move them to.</p>
        ) : dryRun.isError ? (
          <p role="alert" className="notice error">
            {describeError(dryRun.error)}
          </p>
        ) : !dryRun.data ? (
          <p className="muted">Counting the messages…</p>
        ) : (
          <>
            <p data-testid="dry-run-count">
              <strong>{formatCount(matched)}</strong> {matched === 1 ? 'message' : 'messages'} held
              now would be {action === 'delete' ? 'deleted (archived first)' : `${action}d`}.
              {matched === 0 ? ' Nothing to do.' : ''}
            </p>
            {targets.length ? (
              <table className="table" aria-label="Where they go">
                <thead>
                  <tr>
                    <th>Queue</th>
                    <th className="num">Messages</th>
                  </tr>
                </thead>
                <tbody>
                  {targets.map(([name, count]) => (
                    <tr key={name}>
                      <td className="mono">{name}</td>
                      <td className="num">{formatCount(count)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </>
        )}
      </div>
      {request.reasons.length && action !== 'delete' ? (
        <div className="notice warn" data-testid="bulk-reasons">
          <p>
            They failed with the errors below: unless the cause has been fixed, they will fail again
            and come back here.
          </p>
          <ul>
            {request.reasons.slice(0, 5).map((r) => (
              <li key={r.label}>
                <span className="error-text">{r.label}</span> ({formatCount(r.count)})
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </ConfirmDialog>
  )
}
