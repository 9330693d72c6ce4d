/** The parts of a W3C `traceparent` header (version 00). */
export interface TraceParent {
  traceId: string
  spanId: string
  traceFlags: number
}

const PATTERN = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

export function formatTraceParent(traceId: string, spanId: string, traceFlags: number): string {
  return `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`
}

/** Undefined for anything that is not a valid version-00 header (all-zero ids are invalid). */
export function parseTraceParent(value: unknown): TraceParent | undefined {
  const text = Buffer.isBuffer(value) ? value.toString() : value
  if (typeof text !== 'string') return undefined
  const match = PATTERN.exec(text.trim())
  if (!match) return undefined
  const [, traceId = '', spanId = '', flags = '00'] = match
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined
  return { traceId, spanId, traceFlags: parseInt(flags, 16) }
}
