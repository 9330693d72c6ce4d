import { useState } from 'react'
import type { BulkOperationView } from '@warren/admin-api'
import { ProgressBar } from '../../components/ProgressBar.js'
import { describeError } from '../../lib/errors.js'
import { formatCount, formatEta, formatRate } from '../../lib/format.js'
import { ACTIVE, useBulkOperation } from './api/get-bulk-operations.js'
import { useControlOperation } from './api/control-operation.js'

const VERB = { requeue: 'Requeue', move: 'Move', delete: 'Delete' } as const

export function operationTitle(op: Pick<BulkOperationView, 'action' | 'target' | 'total'>): string {
  const to = op.action === 'move' && op.target ? ` to ${op.target}` : ''
  return `${VERB[op.action]} of ${formatCount(op.total)} messages${to}`
}

/**
 * A running bulk operation: done of total, measured rate, time left, and the operator's controls
 * (pause, resume, cancel, another rate). Polls the operation every second until it finishes.
 */
export function BulkProgress({ id, initial }: { id: string; initial?: BulkOperationView }) {
  const query = useBulkOperation(id)
  const control = useControlOperation()
  const [rateText, setRateText] = useState('')
  const op = query.data ?? initial
  if (!op) return <p className="muted">Starting…</p>
  const active = ACTIVE.has(op.status)
  const title = operationTitle(op)
  const rate = Number(rateText)
  const rateValid = rateText.trim() === '' || (Number.isInteger(rate) && rate >= 1)
  return (
    <section
      className="card bulk-progress"
      aria-label={title}
      data-testid="bulk-progress"
      data-status={op.status}
    >
      <h3>
        {title} <span className={`badge status-${op.status}`}>{op.status}</span>
      </h3>
      <ProgressBar label={`${title}: progress`} progress={{ done: op.done, total: op.total }} />
      <dl className="kv compact">
        <dt>Done</dt>
        <dd data-testid="bulk-done">
          {formatCount(op.done)} of {formatCount(op.total)}
          {op.failed ? ` · ${formatCount(op.failed)} failed (still held)` : ''}
        </dd>
        <dt>Rate</dt>
        <dd data-testid="bulk-rate">
          {formatRate(op.measuredRate)} measured ·{' '}
          {op.rate ? `${formatRate(op.rate)} asked` : 'unpaced'}
        </dd>
        <dt>Time left</dt>
        <dd data-testid="bulk-eta">{active ? formatEta(op.etaSeconds) : '–'}</dd>
        <dt>By</dt>
        <dd>{op.actor}</dd>
      </dl>
      {op.error ? <p className="notice error">{op.error}</p> : null}
      {op.failures.length ? (
        <ul className="notice warn" aria-label="Failures">
          {op.failures.map((f) => (
            <li key={f.id}>
              <span className="mono">{f.id}</span>: {f.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {active ? (
        <div className="bulkbar" role="group" aria-label={`Control ${title}`}>
          {op.status === 'paused' ? (
            <button
              type="button"
              className="button primary"
              disabled={control.isPending}
              onClick={() => control.mutate({ id, command: 'resume' })}
            >
              Resume
            </button>
          ) : (
            <button
              type="button"
              className="button"
              disabled={control.isPending}
              onClick={() => control.mutate({ id, command: 'pause' })}
            >
              Pause
            </button>
          )}
          <button
            type="button"
            className="button danger-outline"
            disabled={control.isPending}
            onClick={() => control.mutate({ id, command: 'cancel' })}
          >
            Cancel operation
          </button>
          <form
            className="inline-field"
            onSubmit={(event) => {
              event.preventDefault()
              if (!rateValid) return
              const next = rateText.trim() === '' ? null : rate
              control.mutate(
                { id, command: 'rate', rate: next },
                { onSuccess: () => setRateText('') },
              )
            }}
          >
            <label className="inline-field">
              <span>New rate (msg/s, empty: unpaced)</span>
              <input
                type="number"
                min={1}
                step={1}
                size={8}
                value={rateText}
                aria-invalid={!rateValid}
                onChange={(event) => setRateText(event.target.value)}
              />
            </label>
            <button
              type="submit"
              className="button small"
              disabled={!rateValid || control.isPending}
            >
              Set rate
            </button>
          </form>
        </div>
      ) : null}
      {control.isError ? (
        <p role="alert" className="notice error">
          {describeError(control.error)}
        </p>
      ) : null}
    </section>
  )
}
