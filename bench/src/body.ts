import { randomUUID } from 'node:crypto'

/** What every variant publishes and consumes: an order-like object, 1 KiB once serialised. */
export interface BenchBody {
  /** `performance.now()` at publish, for end-to-end latency (0 in throughput runs). */
  sentAt: number
  orderId: string
  customer: { id: string; country: string; tier: string }
  lines: { sku: string; quantity: number; priceCents: number }[]
  note: string
}

export const BODY_BYTES = 1024

const lines = Array.from({ length: 8 }, (_, i) => ({
  sku: `SKU-${String(1000 + i)}`,
  quantity: i + 1,
  priceCents: 1999 + i * 100,
}))

/** A body sent at `sentAt`, padded (its `note`) so that its JSON is BODY_BYTES long. */
export function benchBody(sentAt = 0): BenchBody {
  const body: BenchBody = {
    sentAt,
    orderId: 'order-000042',
    customer: { id: 'customer-7', country: 'NL', tier: 'gold' },
    lines,
    note: '',
  }
  body.note = 'n'.repeat(BODY_BYTES - Buffer.byteLength(JSON.stringify(body)))
  return body
}

/**
 * A UUID v7 as a hand-written amqplib client would make it: a v4 from `randomUUID()` (whose
 * entropy Node caches) with its first 48 bits replaced by the millisecond clock and its version
 * digit by 7. Written apart from the SDK's so that the baseline does not inherit its cost.
 */
export function baselineUuidV7(now = Date.now()): string {
  const time = now.toString(16).padStart(12, '0')
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`
}
