import type { ConsumeMessage, Options } from 'amqplib'
import type { Schema } from '../schema.js'
import { failureCopy } from '../dead-letter/failure-copy.js'
import type { Keyring } from '../encryption/keyring.js'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import type { ConsumeObserver } from '../metrics/observers.js'
import type { ResolvedConsumeOptions } from '../options.js'
import { attemptOf } from '../retry/broker-mode.js'
import { routeFailure, type FailureRoute } from '../retry/plan.js'
import { receivedName } from '../topology/message-name.js'
import type { QueuePlan } from '../topology/plan.js'
import type { Tracing } from '../tracing/tracing.js'
import { decodeBody, originalRoutingKey } from './decode.js'
import type { Handler, HandlerMap, Message } from './message.js'
import { runHandler } from './run-handler.js'

/**
 * How a delivery ended, as a value. The real consumer applies it on the channel the delivery
 * came on, the fake to its queues in memory: both run the same pipeline to get here.
 */
export type Outcome =
  | { kind: 'ack' }
  /** Claimed before (idempotency): acked without running the handler. */
  | { kind: 'duplicate' }
  | Failed

export interface Failed {
  kind: 'fail'
  route: FailureRoute
  error: unknown
  attempt: number
}

/** One outcome object for every successful delivery: nothing to allocate per message. */
const ACK: Outcome = Object.freeze({ kind: 'ack' })

/** What a consumer brings to each of its deliveries. */
export interface Pipeline {
  plan: QueuePlan
  handler: Handler<unknown> | HandlerMap
  options: Pick<ResolvedConsumeOptions, 'timeoutMs' | 'idempotency'>
  messages: Readonly<Record<string, Schema>> | undefined
  /** Keys to open sealed bodies with. */
  keyring?: Keyring | undefined
  /** Whether the broker delays this queue's retries on this connection (retry mode `broker`). */
  brokerRetry?: () => boolean
  observer?: ConsumeObserver | undefined
  /** A `process` span per delivery, active while the handler runs. */
  tracing?: Tracing | undefined
}

/**
 * One delivery from its bytes to its outcome: its attempt, decoded and validated, a duplicate
 * skipped, the handler run within its timeout, a failure routed to a retry tier, the broker's
 * delayed retry or the dead-letter queue. No channel I/O: acks and failure copies are the
 * caller's.
 */
export async function processDelivery(
  pipeline: Pipeline,
  delivery: ConsumeMessage,
): Promise<Outcome> {
  const headers = delivery.properties.headers ?? {}
  const brokerRetry = pipeline.brokerRetry?.() === true
  const attempt = attemptOf(headers, brokerRetry)
  const { tracing } = pipeline
  if (!tracing) return decide(pipeline, delivery, headers, attempt, brokerRetry)
  const span = tracing.startProcess(pipeline.plan.name, delivery, attempt)
  const outcome = await span.run(() => decide(pipeline, delivery, headers, attempt, brokerRetry))
  if (outcome.kind === 'fail') {
    span.end(outcome.route.kind === 'retry' ? 'retry' : 'dead_letter', outcome.error)
  } else span.end('ack')
  return outcome
}

async function decide(
  pipeline: Pipeline,
  delivery: ConsumeMessage,
  headers: Record<string, unknown>,
  attempt: number,
  brokerRetry: boolean,
): Promise<Outcome> {
  const { plan, options, observer } = pipeline
  const queue = plan.name
  const routingKey = originalRoutingKey(delivery)
  const decoded = decodeBody(delivery, pipeline.messages, routingKey, pipeline.keyring)
  if (!decoded.ok) {
    const route = deadLetter(plan, 'invalid-payload')
    return { kind: 'fail', route, error: decoded.error, attempt }
  }
  const name = receivedName(delivery.properties.type, routingKey)
  const handler = handlerFor(pipeline.handler, name, routingKey)
  if (!handler) {
    const error = new WarrenError('NO_HANDLER', `no handler on '${queue}' for message '${name}'`)
    return { kind: 'fail', route: deadLetter(plan, 'no-handler'), error, attempt }
  }
  const messageId = String(delivery.properties.messageId ?? '')
  const { idempotency } = options
  const key = `${queue}:${messageId}`
  if (idempotency && messageId && !(await idempotency.store.claim(key, idempotency.ttlMs))) {
    return { kind: 'duplicate' }
  }
  const origin: unknown = headers[HEADERS.originalExchange]
  const message: Message<unknown> = {
    body: decoded.body,
    messageId,
    attempt,
    queue,
    routingKey,
    exchange: typeof origin === 'string' ? origin : delivery.fields.exchange,
    redelivered: delivery.fields.redelivered,
    headers,
    properties: delivery.properties,
    content: decoded.content,
  }
  const started = observer ? performance.now() : 0
  try {
    const running = runHandler(handler, message, options.timeoutMs)
    if (running) await running
    return ACK
  } catch (error) {
    if (idempotency && messageId) await idempotency.store.release(key).catch(() => {})
    return { kind: 'fail', route: routeFailure(plan, attempt, error, brokerRetry), error, attempt }
  } finally {
    observer?.handled((performance.now() - started) / 1000)
  }
}

/**
 * The publish options of the copy a failure leaves in its retry tier or dead-letter queue
 * (`route.queue`), with the `warren-*` failure headers.
 */
export function copyOfFailure(
  delivery: ConsumeMessage,
  { route, attempt, error }: Failed,
  queue: string,
  consumer: string,
): Options.Publish & { messageId: string } {
  const reason = route.kind === 'dead-letter' ? route.reason : undefined
  return failureCopy({ delivery, queue, attempt, error, consumer, ...(reason && { reason }) })
}

function deadLetter(plan: QueuePlan, reason: 'invalid-payload' | 'no-handler'): FailureRoute {
  return { kind: 'dead-letter', reason, queue: plan.deadLetterQueue }
}

function handlerFor(
  handler: Handler<unknown> | HandlerMap,
  name: string,
  routingKey: string,
): Handler<unknown> | undefined {
  if (typeof handler === 'function') return handler
  const map = handler as Readonly<Record<string, Handler<unknown> | undefined>>
  return map[name] ?? map[routingKey]
}
