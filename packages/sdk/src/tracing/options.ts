import type { OtelTracerProvider } from './otel-types.js'

/** OpenTelemetry spans and W3C trace context, through `@opentelemetry/api` (optional peer). */
export interface TracingOptions {
  /** Where the `publish` and `process` spans are made. @default the global tracer provider */
  tracerProvider?: OtelTracerProvider
}
