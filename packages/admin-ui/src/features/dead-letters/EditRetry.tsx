import { useState } from 'react'
import { ApiProblemError, describeError } from '../../lib/errors.js'
import { useRetryMessage } from './api/retry-message.js'
import { headerChanges, retryDraft } from './retry-draft.js'
import type { DeadLetterMessage } from './types.js'

export interface EditRetryProps {
  vhost: string
  queue: string
  message: DeadLetterMessage
  /** The copy went out; the original is archived and leaves the list. */
  onRetried: (target: string) => void
}

/** Why the API refused, in its own words (`invalid-json` says where the JSON breaks). */
function reasonOf(error: unknown): string {
  if (error instanceof ApiProblemError && error.detail) return `${error.title}: ${error.detail}`
  return describeError(error)
}

/**
 * Edit the payload and headers of a stored dead letter and send the copy, to its original queue
 * or another. Mount with `key={message.id}` so another message starts from its own content.
 */
export function EditRetry({ vhost, queue, message, onRetried }: EditRetryProps) {
  const [draft, setDraft] = useState(() => retryDraft(message))
  const [headerError, setHeaderError] = useState<string | null>(null)
  const retry = useRetryMessage()
  const encrypted = message.payloadEncoding === 'encrypted'
  const blocked = encrypted || message.payloadTruncated || message.payloadEncoding === 'base64'
  return (
    <section className="drawer-section" aria-labelledby="edit-retry-title" data-testid="edit-retry">
      <h3 id="edit-retry-title">Edit and retry</h3>
      {blocked ? (
        <p className="muted">
          {encrypted
            ? 'An encrypted message cannot be edited here.'
            : 'Only a complete text or JSON payload can be edited here.'}
        </p>
      ) : (
        <form
          className="dialog-form"
          onSubmit={(event) => {
            event.preventDefault()
            const headers = headerChanges(message, draft.headers)
            if (!headers.ok) {
              setHeaderError(headers.reason)
              return
            }
            setHeaderError(null)
            // Not mutate's onSuccess: the list refreshes without the archived original while the
            // retry is in flight, which closes this drawer, and mutate's own callbacks do not run
            // for an unmounted form. The promise settles whatever became of the form.
            retry
              .mutateAsync({
                vhost,
                queue,
                id: message.id,
                payload: draft.payload,
                headers: headers.changes,
                target: draft.target.trim() || undefined,
              })
              .then((result) => onRetried(result.target))
              // A refusal is shown by the form (retry.error) while it is open.
              .catch(() => undefined)
          }}
        >
          <label className="field">
            <span>Payload</span>
            <textarea
              className="mono"
              rows={10}
              spellCheck={false}
              value={draft.payload}
              onChange={(e) => setDraft((d) => ({ ...d, payload: e.target.value }))}
            />
          </label>
          <label className="field">
            <span>Headers (JSON object; remove a key to drop the header)</span>
            <textarea
              className="mono"
              rows={6}
              spellCheck={false}
              value={draft.headers}
              aria-invalid={headerError !== null}
              onChange={(e) => setDraft((d) => ({ ...d, headers: e.target.value }))}
            />
          </label>
          <label className="field">
            <span>Target queue</span>
            <input
              type="text"
              value={draft.target}
              placeholder={message.originalQueue ?? 'original queue'}
              onChange={(e) => setDraft((d) => ({ ...d, target: e.target.value }))}
            />
          </label>
          {headerError || retry.isError ? (
            <p role="alert" className="notice error" data-testid="retry-error">
              {headerError ?? reasonOf(retry.error)}
            </p>
          ) : null}
          <div className="bulkbar">
            <button type="submit" className="button primary" disabled={retry.isPending}>
              {retry.isPending ? 'Sending…' : 'Send edited copy'}
            </button>
            <button
              type="button"
              className="button ghost"
              onClick={() => {
                setDraft(retryDraft(message))
                setHeaderError(null)
                retry.reset()
              }}
            >
              Reset
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
