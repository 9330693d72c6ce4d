import { context, SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { connect, defineTopology, HEADERS, type Broker } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
const exporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(exporter)],
})
const contextManager = new AsyncLocalStorageContextManager()

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable())
  vhost = await createVhost('sdk-tracing')
})
afterAll(async () => {
  context.disable()
  await vhost?.delete()
})
beforeEach(() => exporter.reset())

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'shipping.label': {
      bindings: [{ exchange: 'orders', routingKey: 'order.paid' }],
      retry: { delays: ['200ms'], maxAttempts: 2 },
    },
  },
})

const spans = (name: string): ReadableSpan[] =>
  exporter.getFinishedSpans().filter((span) => span.name === name)

async function withBroker(run: (broker: Broker<typeof topology>) => Promise<void>) {
  const broker = await connect({ url: vhost.url, topology, tracing: { tracerProvider } })
  try {
    await run(broker)
  } finally {
    await broker.close()
  }
}

describe('tracing', () => {
  it('publishes inside the caller trace with a producer span, and runs the handler in a consumer span that continues it', async () => {
    await withBroker(async (broker) => {
      const inHandler: { active: SpanContext | undefined; traceparent: unknown }[] = []
      await broker.consume('shipping.label', (msg) => {
        inHandler.push({
          active: trace.getActiveSpan()?.spanContext(),
          traceparent: msg.headers[HEADERS.traceparent],
        })
      })
      const tracer = tracerProvider.getTracer('checkout-service')
      await tracer.startActiveSpan('checkout', async (span) => {
        await broker.publish(
          'orders',
          'order.paid',
          { orderId: 'o-1' },
          { messageId: 'm-1', correlationId: 'c-1' },
        )
        span.end()
      })
      await waitFor(() => spans('process shipping.label').length === 1, 'the process span')

      const [checkout] = spans('checkout')
      const [publish] = spans('publish orders')
      const [processed] = spans('process shipping.label')
      expect(publish?.kind).toBe(SpanKind.PRODUCER)
      expect(publish?.parentSpanContext?.spanId).toBe(checkout?.spanContext().spanId)
      expect(publish?.spanContext().traceId).toBe(checkout?.spanContext().traceId)
      expect(publish?.attributes).toEqual({
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.destination.name': 'orders',
        'messaging.rabbitmq.destination.routing_key': 'order.paid',
        'messaging.message.id': 'm-1',
        'messaging.message.conversation_id': 'c-1',
        'messaging.message.body.size': Buffer.byteLength('{"orderId":"o-1"}'),
      })
      const { traceId, spanId } = publish?.spanContext() ?? {}
      expect(inHandler[0]?.traceparent).toBe(`00-${traceId}-${spanId}-01`)

      expect(processed?.kind).toBe(SpanKind.CONSUMER)
      expect(processed?.spanContext().traceId).toBe(traceId)
      expect(processed?.parentSpanContext?.spanId).toBe(spanId)
      expect(processed?.attributes).toMatchObject({
        'messaging.system': 'rabbitmq',
        'messaging.operation.type': 'process',
        'messaging.destination.name': 'orders',
        'messaging.destination.subscription.name': 'shipping.label',
        'messaging.rabbitmq.destination.routing_key': 'order.paid',
        'messaging.message.id': 'm-1',
        'warren.attempt': 1,
        'warren.outcome': 'ack',
      })
      // Spans the handler starts become children of the process span.
      expect(inHandler[0]?.active?.spanId).toBe(processed?.spanContext().spanId)
    })
  })

  it('keeps one trace across retries: each attempt is a process span under the same publish, failed ones marked as errors', async () => {
    await withBroker(async (broker) => {
      await broker.consume('shipping.label', () => {
        throw new Error('printer jammed')
      })
      await broker.publish('orders', 'order.paid', { orderId: 'o-2' })
      await waitFor(() => spans('process shipping.label').length === 2, 'both attempts')
      await vhost.drain('shipping.label.dlq')

      const [publish] = spans('publish orders')
      const attempts = spans('process shipping.label')
      expect(
        attempts.map((span) => ({
          parent: span.parentSpanContext?.spanId,
          attempt: span.attributes['warren.attempt'],
          outcome: span.attributes['warren.outcome'],
          status: span.status,
          exception: span.events[0]?.attributes?.['exception.message'],
        })),
      ).toEqual(
        [1, 2].map((attempt) => ({
          parent: publish?.spanContext().spanId,
          attempt,
          outcome: attempt === 1 ? 'retry' : 'dead_letter',
          status: { code: SpanStatusCode.ERROR, message: 'printer jammed' },
          exception: 'printer jammed',
        })),
      )
    })
  })

  it('starts a new trace for a message that carries no traceparent', async () => {
    await withBroker(async (broker) => {
      await broker.consume('shipping.label', () => {})
      const channel = await (await vhost.raw()).createChannel()
      channel.publish('orders', 'order.paid', Buffer.from('{}'), {
        contentType: 'application/json',
      })
      await channel.close()
      await waitFor(() => spans('process shipping.label').length === 1, 'the process span')
      expect(spans('process shipping.label')[0]?.parentSpanContext).toBeUndefined()
    })
  })

  it('gives each message of a batch its own publish span and traceparent', async () => {
    await withBroker(async (broker) => {
      await broker.publishBatch([
        { exchange: 'orders', routingKey: 'order.paid', body: { n: 1 } },
        { exchange: 'orders', routingKey: 'order.paid', body: { n: 2 } },
      ])
      const sent = await vhost.drain('shipping.label')
      const published = spans('publish orders')
      expect(sent.map((m) => m.properties.headers?.[HEADERS.traceparent])).toEqual(
        published.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`),
      )
      expect(new Set(published.map((s) => s.spanContext().spanId)).size).toBe(2)
    })
  })

  it('carries the trace through a delayed publish: the process span follows the publish span', async () => {
    await withBroker(async (broker) => {
      await broker.consume('shipping.label', () => {})
      await broker.publish('orders', 'order.paid', { late: true }, { delay: '300ms' })
      await waitFor(() => spans('process shipping.label').length === 1, 'the delayed delivery')
      const [publish] = spans('publish orders')
      const [processed] = spans('process shipping.label')
      expect(processed?.spanContext().traceId).toBe(publish?.spanContext().traceId)
      expect(processed?.parentSpanContext?.spanId).toBe(publish?.spanContext().spanId)
    })
  })

  it('marks the publish span failed when the broker returns the message', async () => {
    await withBroker(async (broker) => {
      await expect(broker.publish('orders', 'order.lost', {})).rejects.toThrow(/returned/)
      const [publish] = spans('publish orders')
      expect(publish?.status.code).toBe(SpanStatusCode.ERROR)
      expect(publish?.attributes['messaging.rabbitmq.destination.routing_key']).toBe('order.lost')
    })
  })

  it('is off by default: no span, no traceparent header', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.publish('orders', 'order.paid', {})
      const [raw] = await vhost.drain('shipping.label')
      expect(raw?.properties.headers?.[HEADERS.traceparent]).toBeUndefined()
      expect(exporter.getFinishedSpans()).toEqual([])
    } finally {
      await broker.close()
    }
  })
})
