import { randomUUID } from 'node:crypto'
import { HEADERS } from '@warren/sdk/protocol'
import type { AuditRecorder } from '../audit/types.js'
import type { Actor } from '../context.js'
import { ApiError } from '../errors.js'
import type { CopyPublisher } from '../operations/copy-publisher.js'
import type { RetryResult } from '../operations/bulk-schemas.js'
import { describeOutcome } from '../rabbit/amqp-publisher.js'
import { safeHeadersOf } from '../rabbit/message-headers.js'
import type { DeadLetterStore } from '../store/types.js'
import { isEncrypted } from './message-view.js'
import type { JsonValue } from './schemas.js'
import { auditTarget } from './services.js'
import { copyOf, toAmqpMessage } from './stored-message.js'

export interface EditRetryDeps {
  store: DeadLetterStore
  publisher: CopyPublisher
  audit: AuditRecorder
}

export interface EditRetryRequest {
  /** The edited body, as text. */
  payload: string
  /** A value sets the header, null removes it. */
  headers?: Record<string, JsonValue> | undefined
  target?: string | undefined
}

const JSON_TYPE = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i

/**
 * Sends an operator's edited copy of a stored dead letter back (to its original queue or
 * `target`), confirmed and routed, then archives the original as `retried`. Nothing is archived
 * unless the copy reached a queue.
 */
export async function retryEdited(
  deps: EditRetryDeps,
  vhost: string,
  queue: string,
  seq: number,
  request: EditRetryRequest,
  actor: Actor,
): Promise<RetryResult> {
  const id = String(seq)
  const [row] = await deps.store.get(vhost, queue, [seq])
  if (!row) throw new ApiError(404, 'message-not-found', 'Message not found', id)
  if (row.state !== 'held') {
    throw new ApiError(409, 'message-settled', 'Message is no longer held', `${id} is ${row.state}`)
  }
  const message = toAmqpMessage(row)
  if (isEncrypted(message.properties, safeHeadersOf(message.properties).headers)) {
    throw new ApiError(409, 'message-encrypted', 'An encrypted message cannot be edited', id)
  }
  const contentType = message.properties.contentType as unknown
  if (typeof contentType === 'string' && JSON_TYPE.test(contentType)) {
    try {
      JSON.parse(request.payload)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      throw new ApiError(400, 'invalid-json', 'The payload is not valid JSON', reason)
    }
  }
  const changes = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([key, value]) => [key, value ?? undefined]),
  )
  const plan = copyOf(row, {
    target: request.target,
    mode: 'requeue',
    at: new Date().toISOString(),
    headers: { ...changes, [HEADERS.editedFrom]: id },
    content: Buffer.from(request.payload, 'utf8'),
    // The edited text is sent as it is: no longer compressed, whatever the original was.
    without: ['contentEncoding'],
  })
  if (!plan.ok) throw new ApiError(409, 'no-target', 'Nowhere to send the copy', plan.reason)
  const base = { actor, action: 'retry' as const, target: auditTarget(vhost, queue) }
  const [outcome = 'nacked'] = await deps.publisher.publish(vhost, [plan.copy])
  if (outcome !== 'confirmed') {
    const reason = describeOutcome(outcome, plan.copy.routingKey)
    await deps.audit.record({
      ...base,
      counts: { retried: 0, failed: 1 },
      outcome: 'failure',
      detail: `${id}: ${reason}`,
    })
    throw outcome === 'returned'
      ? new ApiError(409, 'unroutable', 'The copy reached no queue', reason)
      : new ApiError(502, 'publish-refused', 'The broker refused the copy', reason)
  }
  const settled = await deps.store.settle(
    vhost,
    queue,
    [seq],
    'retried',
    actor.name,
    `retry:${randomUUID()}`,
  )
  await deps.audit.record({
    ...base,
    counts: { retried: 1, failed: 0 },
    outcome: 'success',
    detail: `edited copy of ${id} sent to ${plan.copy.routingKey}`,
  })
  return { id, target: plan.copy.routingKey, archived: settled.length === 1 }
}
