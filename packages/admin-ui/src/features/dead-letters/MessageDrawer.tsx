import { BROKER_HEADERS } from '@warren/sdk/protocol'
import type { ReactNode } from 'react'
import { Dialog } from '../../components/Dialog.js'
import { formatTime } from '../../lib/format.js'
import { triageStep } from '../../lib/triage-keys.js'
import { PayloadSection } from './PayloadSection.js'
import type { DeadLetterMessage } from './types.js'
import { TableWrap } from '../../components/TableWrap.js'

export interface MessageDrawerProps {
  message: DeadLetterMessage | null
  onClose: () => void
  /** Present for operators only. */
  onRequeue?: ((message: DeadLetterMessage) => void) | undefined
  onDelete?: ((message: DeadLetterMessage) => void) | undefined
  /** Sections of the store: edit and retry, notes. Shown after the payload. */
  children?: ReactNode
  /** The messages before and after this one in the table (keys k and j); absent at either end. */
  onPrevious?: (() => void) | undefined
  onNext?: (() => void) | undefined
}

const show = (value: unknown): string =>
  typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value))

function KeyValues({ entries, testId }: { entries: [string, unknown][]; testId: string }) {
  if (entries.length === 0) return <p className="muted">None</p>
  return (
    <dl className="kv" data-testid={testId}>
      {entries.map(([key, value]) => (
        <div key={key} style={{ display: 'contents' }}>
          <dt className="mono">{key}</dt>
          <dd className="mono">{show(value)}</dd>
        </div>
      ))}
    </dl>
  )
}

/**
 * Everything known about one dead letter: notes on what could not be shown as sent, error and
 * stack, payload, properties, headers, x-death.
 */
export function MessageDrawer({
  message,
  onClose,
  onRequeue,
  onDelete,
  children,
  onPrevious,
  onNext,
}: MessageDrawerProps) {
  const headers = message ? Object.entries(message.headers) : []
  const xDeath = message?.headers[BROKER_HEADERS.death]
  const deaths = Array.isArray(xDeath) ? xDeath : []
  return (
    <Dialog
      open={message !== null}
      title={message ? `Message ${message.messageId ?? message.id}` : 'Message'}
      onClose={onClose}
      variant="drawer"
      testId="message-drawer"
    >
      {message ? (
        <div
          className="drawer-content"
          onKeyDown={(event) => {
            const step = triageStep(event.nativeEvent)
            const go = step === 'next' ? onNext : step === 'previous' ? onPrevious : undefined
            if (!go) return
            event.preventDefault()
            go()
          }}
        >
          <div className="bulkbar" role="toolbar" aria-label="Step through messages">
            <button
              type="button"
              className="button small"
              disabled={!onPrevious}
              onClick={onPrevious}
              aria-keyshortcuts="k"
            >
              ← Previous
            </button>
            <button
              type="button"
              className="button small"
              disabled={!onNext}
              onClick={onNext}
              aria-keyshortcuts="j"
            >
              Next →
            </button>
            <span className="muted small">j / k</span>
          </div>
          {onRequeue || onDelete ? (
            <div className="bulkbar">
              {onRequeue ? (
                <button type="button" className="button primary" onClick={() => onRequeue(message)}>
                  Requeue this message
                </button>
              ) : null}
              {onDelete ? (
                <button
                  type="button"
                  className="button danger-outline"
                  onClick={() => onDelete(message)}
                >
                  Delete this message
                </button>
              ) : null}
            </div>
          ) : null}
          {message.notes?.length ? (
            // What could not be shown as sent, and how it is shown instead.
            <section className="drawer-section" aria-label="Notes">
              <ul className="notice warn" data-testid="drawer-notes">
                {message.notes.map((note, index) => (
                  <li key={index}>{note}</li>
                ))}
              </ul>
            </section>
          ) : null}
          <section className="drawer-section" aria-label="Failure">
            <dl className="kv">
              <dt>Reason</dt>
              <dd data-testid="drawer-reason">
                {message.reason ?? '–'}
                {message.explanation ? (
                  <p className="muted" data-testid="drawer-explanation">
                    {message.explanation}
                  </p>
                ) : null}
              </dd>
              <dt>Original queue</dt>
              <dd>{message.originalQueue ?? '–'}</dd>
              <dt>Exchange / routing key</dt>
              <dd className="mono">
                {message.exchange || '(default)'} / {message.routingKey ?? '–'}
              </dd>
              <dt>Attempts</dt>
              <dd>{message.attempts ?? '–'}</dd>
              <dt>Dead-lettered</dt>
              <dd>{formatTime(message.deadLetteredAt)}</dd>
              <dt>Error</dt>
              <dd className="error-text" data-testid="drawer-error">
                {message.error
                  ? [message.error.name, message.error.message].filter(Boolean).join(': ')
                  : '–'}
              </dd>
            </dl>
          </section>
          {message.error?.stack ? (
            <section className="drawer-section">
              <h3>Stack trace</h3>
              <pre data-testid="drawer-stack">{message.error.stack}</pre>
            </section>
          ) : null}
          <PayloadSection key={message.id} message={message} />
          {children}
          <section className="drawer-section">
            <h3>Properties</h3>
            <KeyValues entries={Object.entries(message.properties)} testId="drawer-properties" />
          </section>
          <section className="drawer-section">
            <h3>Headers</h3>
            <KeyValues
              entries={headers.filter(([key]) => key !== BROKER_HEADERS.death)}
              testId="drawer-headers"
            />
          </section>
          <section className="drawer-section">
            <h3>{BROKER_HEADERS.death}</h3>
            {deaths.length === 0 ? (
              <p className="muted">Not dead-lettered by the broker.</p>
            ) : (
              <TableWrap label="x-death">
                <table className="table" data-testid="drawer-x-death">
                  <thead>
                    <tr>
                      <th>Queue</th>
                      <th>Reason</th>
                      <th className="num">Count</th>
                      <th>Exchange</th>
                      <th>Routing keys</th>
                      <th>Time</th>
                    </tr>
                  </thead>
                  <tbody>
                    {deaths.map((death, index) => {
                      const d = (
                        typeof death === 'object' && death !== null ? death : {}
                      ) as Record<string, unknown>
                      return (
                        <tr key={index}>
                          <td>{show(d.queue ?? '–')}</td>
                          <td>{show(d.reason ?? '–')}</td>
                          <td className="num">{show(d.count ?? '–')}</td>
                          <td>{show(d.exchange ?? '–')}</td>
                          <td className="mono">{show(d['routing-keys'] ?? '–')}</td>
                          <td>
                            {formatTime(
                              typeof d.time === 'string' || typeof d.time === 'number'
                                ? d.time
                                : null,
                            )}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </TableWrap>
            )}
          </section>
        </div>
      ) : null}
    </Dialog>
  )
}
