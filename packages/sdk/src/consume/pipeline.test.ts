import type { ConsumeMessage } from 'amqplib'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { NonRetryableError, TimeoutError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { MemoryIdempotencyStore } from '../idempotency/memory-store.js'
import { resolveConsumeOptions } from '../options.js'
import { planQueue } from '../topology/plan.js'
import type { Handler, HandlerMap, Message } from './message.js'
import { processDelivery, type Pipeline } from './pipeline.js'

const plan = planQueue('invoice.send', { retry: { delays: ['1s', '5s'], maxAttempts: 3 } })
const messages = { 'invoice.created': z.object({ invoiceId: z.string() }) }

function delivery(
  body: unknown,
  properties: Partial<ConsumeMessage['properties']> = {},
): ConsumeMessage {
  return {
    content: Buffer.from(JSON.stringify(body)),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: 'billing',
      routingKey: 'invoice.created',
      consumerTag: 't',
    },
    properties: {
      contentType: 'application/json',
      messageId: 'm-1',
      headers: {},
      ...properties,
    } as ConsumeMessage['properties'],
  }
}

function pipeline(handler: Handler<unknown> | HandlerMap, more: Partial<Pipeline> = {}): Pipeline {
  return { plan, handler, options: resolveConsumeOptions(), messages, ...more }
}

describe('the delivery pipeline', () => {
  it('hands the handler the decoded message and acks when it returns', async () => {
    const seen: Message[] = []
    const outcome = await processDelivery(
      pipeline((message) => {
        seen.push(message)
      }),
      delivery({ invoiceId: 'i-1' }),
    )
    expect(outcome).toEqual({ kind: 'ack' })
    expect(seen.map((m) => [m.body, m.attempt, m.queue, m.exchange, m.routingKey])).toEqual([
      [{ invoiceId: 'i-1' }, 1, 'invoice.send', 'billing', 'invoice.created'],
    ])
  })

  it('routes a failure to the tier of its attempt, and the last one to the dead-letter queue', async () => {
    const failing = pipeline(() => {
      throw new Error('smtp down')
    })
    const second = delivery({ invoiceId: 'i-1' }, { headers: { [HEADERS.attempt]: 1 } })
    expect(await processDelivery(failing, second)).toMatchObject({
      kind: 'fail',
      attempt: 2,
      route: { kind: 'retry', queue: 'invoice.send.retry.5s', delayMs: 5_000, via: 'tier' },
      error: { message: 'smtp down' },
    })
    const last = delivery({ invoiceId: 'i-1' }, { headers: { [HEADERS.attempt]: 2 } })
    expect(await processDelivery(failing, last)).toMatchObject({
      kind: 'fail',
      attempt: 3,
      route: { kind: 'dead-letter', reason: 'max-attempts', queue: 'invoice.send.dlq' },
    })
  })

  it('dead-letters at once what the handler says not to retry, or what it cannot read', async () => {
    const refusing = pipeline(() => {
      throw new NonRetryableError('unknown customer')
    })
    expect(await processDelivery(refusing, delivery({ invoiceId: 'i-1' }))).toMatchObject({
      kind: 'fail',
      route: { kind: 'dead-letter', reason: 'non-retryable' },
    })
    expect(await processDelivery(refusing, delivery({ invoice: 1 }))).toMatchObject({
      kind: 'fail',
      route: { kind: 'dead-letter', reason: 'invalid-payload' },
    })
    const elsewhere = pipeline({ 'invoice.paid': () => {} })
    expect(await processDelivery(elsewhere, delivery({ invoiceId: 'i-1' }))).toMatchObject({
      kind: 'fail',
      route: { kind: 'dead-letter', reason: 'no-handler' },
      error: { code: 'NO_HANDLER' },
    })
  })

  it('fails a handler that runs past its timeout', async () => {
    const slow = pipeline(() => new Promise(() => {}), {
      options: resolveConsumeOptions({ timeout: '20ms' }),
    })
    const outcome = await processDelivery(slow, delivery({ invoiceId: 'i-1' }))
    expect(outcome).toMatchObject({ kind: 'fail', route: { kind: 'retry' } })
    expect(outcome.kind === 'fail' && outcome.error).toBeInstanceOf(TimeoutError)
  })

  it('skips a message id it has handled, and lets a failed one run again', async () => {
    let runs = 0
    let fail = true
    const idempotent = pipeline(
      () => {
        runs++
        if (fail) throw new Error('once')
      },
      { options: resolveConsumeOptions({ idempotency: { store: new MemoryIdempotencyStore() } }) },
    )
    const message = delivery({ invoiceId: 'i-1' })
    expect((await processDelivery(idempotent, message)).kind).toBe('fail')
    fail = false
    expect(await processDelivery(idempotent, message)).toEqual({ kind: 'ack' })
    expect(await processDelivery(idempotent, message)).toEqual({ kind: 'duplicate' })
    expect(runs).toBe(2)
  })

  it('counts the broker’s redeliveries as attempts, and retries through the broker, in retry mode broker', async () => {
    const brokerPlan = planQueue('invoice.send', {
      retry: { mode: 'broker', delays: ['1s', '2s'], maxAttempts: 3 },
    })
    const failing = pipeline(
      () => {
        throw new Error('later')
      },
      { plan: brokerPlan, brokerRetry: () => true },
    )
    const redelivered = delivery({ invoiceId: 'i-1' }, { headers: { 'x-delivery-count': 1 } })
    expect(await processDelivery(failing, redelivered)).toMatchObject({
      kind: 'fail',
      attempt: 2,
      route: { kind: 'retry', queue: 'invoice.send', delayMs: 2_000, via: 'broker' },
    })
    // Where the broker does not delay retries (the probe found none), its count is not ours.
    const tiers = { ...failing, brokerRetry: () => false }
    expect(await processDelivery(tiers, redelivered)).toMatchObject({
      attempt: 1,
      route: { kind: 'retry', queue: 'invoice.send.retry.1s', via: 'tier' },
    })
  })
})
