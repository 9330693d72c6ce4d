import type { Message } from 'amqplib'
import type { Actor } from '../context.js'
import type { Progress } from '../operations/registry.js'
import { safeHeadersOf } from '../rabbit/message-headers.js'
import { parseDeadLetter } from './parse.js'
import { republishOptions } from './republish.js'
import { requeueHeaders } from './requeue-headers.js'
import { scanQueue } from './scan.js'
import type { Republish } from './scan.js'
import type { FailedMessage, RequeueResult } from './schemas.js'
import { audited, outcomeOf } from './services.js'
import type { DeadLetterServices } from './services.js'

export type RequeueRequest = ({ ids: string[] } | { all: true }) & {
  target?: string | undefined
  operationId?: string | undefined
  /** Read and report what would be requeued (`wouldRequeue`, `targets`), change nothing. */
  dryRun?: boolean | undefined
}

/**
 * Sends dead letters back to their original queue (or `target`) through the default exchange,
 * never the original exchange, which would hand a copy to every other subscriber too.
 */
export async function requeue(
  services: DeadLetterServices,
  vhost: string,
  queue: string,
  request: RequeueRequest,
  actor: Actor,
): Promise<RequeueResult> {
  const operation = () =>
    services.locks.with(vhost, queue, () =>
      services.operations.run(
        { id: request.operationId, kind: 'requeue', vhost, queue },
        (progress) => requeueScan(services, vhost, queue, request, progress),
      ),
    )
  // A dry run changes nothing, so there is nothing to audit.
  if (request.dryRun === true) return operation()
  return audited(services, { actor, action: 'requeue', vhost, queue }, operation, (result) => ({
    counts: {
      requeued: result.requeued,
      notFound: result.notFound.length,
      failed: result.failed.length,
    },
    outcome: outcomeOf(result.requeued, result.notFound.length + result.failed.length),
  }))
}

async function requeueScan(
  services: DeadLetterServices,
  vhost: string,
  queue: string,
  request: RequeueRequest,
  progress: Progress,
): Promise<RequeueResult> {
  const plan = await services.reader.plan(vhost, queue)
  const { messageCount } = await services.pool.checkQueue(vhost, queue)
  if (request.target !== undefined) {
    await services.pool.checkQueue(vhost, request.target, { countMatters: false })
  }
  const wanted = 'ids' in request ? new Set(request.ids) : undefined
  const seen = new Set<string>()
  const unroutable: FailedMessage[] = []
  const at = new Date().toISOString()
  const targets: Record<string, number> = {}
  const decide = (message: Message, id: string): Republish | null => {
    if (wanted && !wanted.has(id)) return null
    seen.add(id)
    const headers = message.properties.headers ?? {}
    // Facts come from the headers as written: amqplib turns a `__proto__` header into the
    // prototype of its object, which could forge an original queue.
    const written = safeHeadersOf(message.properties).headers
    const target = request.target ?? parseDeadLetter(written).originalQueue
    if (!target) {
      unroutable.push({ id, reason: 'no original queue is known: name a target' })
      return null
    }
    if (target === queue) {
      unroutable.push({ id, reason: 'the target is this dead-letter queue itself' })
      return null
    }
    if (request.dryRun === true) {
      targets[target] = (targets[target] ?? 0) + 1
      return null
    }
    const options = republishOptions(message.properties, {
      ...headers,
      ...requeueHeaders(written, at),
    })
    return { routingKey: target, content: message.content, options }
  }
  const outcome = await services.pool.withConfirmChannel(vhost, (channel) =>
    scanQueue(channel, {
      queue,
      count: messageCount,
      decide,
      progress,
      leftAlone: plan.mode,
      handBack: plan.handBack,
    }),
  )
  if (request.dryRun !== true) {
    services.reader.forget(vhost, queue)
    services.ages.forget(vhost, queue)
  }
  return {
    operationId: progress.id,
    requeued: outcome.moved.length,
    ...(request.dryRun === true
      ? { wouldRequeue: Object.values(targets).reduce((a, b) => a + b, 0), targets }
      : {}),
    notFound: wanted ? [...wanted].filter((id) => !seen.has(id)) : [],
    failed: [...unroutable, ...outcome.failed],
  }
}
