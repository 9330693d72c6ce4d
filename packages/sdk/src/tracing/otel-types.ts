// The part of @opentelemetry/api (an optional peer) that Warren uses, as small structural
// interfaces: the declarations Warren ships name these, not '@opentelemetry/api', so a service
// without it still type-checks them (`skipLibCheck: false`). The API's own types satisfy them
// (the SDK's build checks that where it loads the module).

/** An OpenTelemetry context: opaque here, made and read by the API. */
export interface OtelContext {
  getValue(key: symbol): unknown
}

export type OtelAttributes = Record<string, string | number | boolean | undefined>

/** @internal */
export interface OtelSpanContext {
  traceId: string
  spanId: string
  traceFlags: number
  traceState?: { serialize(): string }
  isRemote?: boolean
}

/** @internal */
export interface OtelSpan {
  spanContext(): OtelSpanContext
  setAttribute(key: string, value: string | number | boolean): this
  setAttributes(attributes: OtelAttributes): this
  setStatus(status: { code: number; message?: string }): this
  recordException(exception: Error): void
  end(): void
}

/** @internal */
export interface OtelTracer {
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: OtelAttributes },
    context?: OtelContext,
  ): OtelSpan
}

/** An OpenTelemetry `TracerProvider`, e.g. the SDK's `NodeTracerProvider` or `BasicTracerProvider`. */
export interface OtelTracerProvider {
  getTracer(name: string, version?: string): OtelTracer
}

/** @internal The @opentelemetry/api module, as loaded when tracing is on. */
export interface OtelApi {
  trace: OtelTracerProvider & {
    setSpan(context: OtelContext, span: OtelSpan): OtelContext
    setSpanContext(context: OtelContext, spanContext: OtelSpanContext): OtelContext
  }
  context: {
    active(): OtelContext
    with<R>(context: OtelContext, fn: () => R): R
  }
  createTraceState(serialized: string): NonNullable<OtelSpanContext['traceState']>
  SpanKind: { readonly PRODUCER: number; readonly CONSUMER: number }
  SpanStatusCode: { readonly ERROR: number }
}
