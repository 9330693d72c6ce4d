import type { ConsumeMessage } from 'amqplib'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import type { TracingOptions } from './options.js'
import type {
  OtelApi,
  OtelAttributes as Attributes,
  OtelContext as Context,
  OtelSpan as Span,
  OtelTracer as Tracer,
} from './otel-types.js'
import { formatTraceParent, parseTraceParent } from './traceparent.js'

const SCOPE = '@warren/sdk'
// Messaging semantic conventions (OpenTelemetry semconv 1.27+).
const ATTR = {
  system: 'messaging.system',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  destination: 'messaging.destination.name',
  subscription: 'messaging.destination.subscription.name',
  routingKey: 'messaging.rabbitmq.destination.routing_key',
  deliveryTag: 'messaging.rabbitmq.message.delivery_tag',
  messageId: 'messaging.message.id',
  conversationId: 'messaging.message.conversation_id',
  bodySize: 'messaging.message.body.size',
  attempt: 'warren.attempt',
  outcome: 'warren.outcome',
} as const

/** The producer span of one publish; its context travels in the message's headers. */
export interface PublishSpan {
  /** `traceparent` (and `tracestate`) of this span, to put in the headers. */
  readonly headers: Record<string, string>
  prepared(messageId: string, bodySize: number, correlationId: string | undefined): void
  /** Ends the span when the publish settles; the result is the publish's own. */
  track(confirm: Promise<void>): Promise<void>
  fail(error: unknown): void
}

/** The consumer span of one delivery; the handler runs with it active. */
export interface ProcessSpan {
  run<R>(fn: () => Promise<R>): Promise<R>
  end(outcome: 'ack' | 'retry' | 'dead_letter', error?: unknown): void
}

/** Spans through `@opentelemetry/api`, loaded only when tracing is on. */
export class Tracing {
  readonly #api: OtelApi
  readonly #tracer: Tracer

  constructor(api: OtelApi, options: TracingOptions) {
    this.#api = api
    this.#tracer = (options.tracerProvider ?? api.trace).getTracer(SCOPE)
  }

  startPublish(exchange: string, routingKey: string, traceparent?: string): PublishSpan {
    const api = this.#api
    const destination = exchange === '' ? 'amq.default' : exchange
    // A traceparent given by the caller is the parent; else whatever span is active.
    const parent = this.#remoteContext(traceparent, undefined) ?? api.context.active()
    const span = this.#tracer.startSpan(
      `publish ${destination}`,
      {
        kind: api.SpanKind.PRODUCER,
        attributes: {
          [ATTR.system]: 'rabbitmq',
          [ATTR.operationType]: 'send',
          [ATTR.operationName]: 'publish',
          [ATTR.destination]: destination,
          [ATTR.routingKey]: routingKey,
        },
      },
      parent,
    )
    const context = span.spanContext()
    const headers: Record<string, string> = {
      [HEADERS.traceparent]: formatTraceParent(context.traceId, context.spanId, context.traceFlags),
    }
    const state = context.traceState?.serialize()
    if (state) headers[HEADERS.tracestate] = state
    return {
      headers,
      prepared: (messageId, bodySize, correlationId) => {
        const attributes: Attributes = { [ATTR.messageId]: messageId, [ATTR.bodySize]: bodySize }
        if (correlationId !== undefined) attributes[ATTR.conversationId] = correlationId
        span.setAttributes(attributes)
      },
      track: (confirm) =>
        confirm.then(
          () => span.end(),
          (error: unknown) => {
            this.#failed(span, error)
            throw error
          },
        ),
      fail: (error) => this.#failed(span, error),
    }
  }

  startProcess(queue: string, delivery: ConsumeMessage, attempt: number): ProcessSpan {
    const api = this.#api
    const headers = delivery.properties.headers ?? {}
    const parent =
      this.#remoteContext(headers[HEADERS.traceparent], headers[HEADERS.tracestate]) ??
      api.context.active()
    const exchange = stringOr(headers[HEADERS.originalExchange], delivery.fields.exchange)
    const attributes: Attributes = {
      [ATTR.system]: 'rabbitmq',
      [ATTR.operationType]: 'process',
      [ATTR.operationName]: 'process',
      [ATTR.destination]: exchange === '' ? 'amq.default' : exchange,
      [ATTR.subscription]: queue,
      [ATTR.routingKey]: stringOr(headers[HEADERS.originalRoutingKey], delivery.fields.routingKey),
      [ATTR.deliveryTag]: delivery.fields.deliveryTag,
      [ATTR.bodySize]: delivery.content.length,
      [ATTR.attempt]: attempt,
    }
    const messageId: unknown = delivery.properties.messageId
    if (typeof messageId === 'string') attributes[ATTR.messageId] = messageId
    const correlationId: unknown = delivery.properties.correlationId
    if (typeof correlationId === 'string') attributes[ATTR.conversationId] = correlationId
    const span = this.#tracer.startSpan(
      `process ${queue}`,
      { kind: api.SpanKind.CONSUMER, attributes },
      parent,
    )
    const active = api.trace.setSpan(parent, span)
    return {
      run: (fn) => api.context.with(active, fn),
      end: (outcome, error) => {
        span.setAttribute(ATTR.outcome, outcome)
        if (error === undefined) span.end()
        else this.#failed(span, error)
      },
    }
  }

  #remoteContext(traceparent: unknown, tracestate: unknown): Context | undefined {
    const parsed = parseTraceParent(traceparent)
    if (!parsed) return undefined
    const api = this.#api
    const state = Buffer.isBuffer(tracestate) ? tracestate.toString() : tracestate
    return api.trace.setSpanContext(api.context.active(), {
      ...parsed,
      isRemote: true,
      ...(typeof state === 'string' && state !== '' && { traceState: api.createTraceState(state) }),
    })
  }

  #failed(span: Span, error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error))
    span.recordException(err)
    span.setStatus({ code: this.#api.SpanStatusCode.ERROR, message: err.message })
    span.end()
  }
}

/** Loads `@opentelemetry/api` (an optional peer) when tracing is on. */
export async function loadTracing(options: TracingOptions | true): Promise<Tracing> {
  let api: OtelApi
  try {
    api = await import('@opentelemetry/api')
  } catch (error) {
    throw new WarrenError(
      'INVALID_OPTIONS',
      'tracing needs the @opentelemetry/api package: install it beside @warren/sdk',
      { cause: error },
    )
  }
  return new Tracing(api, options === true ? {} : options)
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback
}
