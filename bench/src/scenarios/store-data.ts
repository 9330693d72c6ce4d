// Synthetic dead letters for the store benchmark: five kinds of failure with ids in their
// messages, ~300-byte JSON bodies, and one distinctive body that a search has to find.
import { createHash, randomUUID } from 'node:crypto'
import { fingerprint, type NewDeadLetter } from '@warren/admin-api/store'

export const BENCH_VHOST = 'bench'
export const BENCH_QUEUE = 'orders.dlq'
/** Text only the distinctive body carries. */
export const DISTINCTIVE = 'zebra-quokka-7731'

export interface Kind {
  errorName: string
  message: (n: number) => string
  reason: string
  originalQueue: string
  routingKey: string
  stack: string
}

const frame = (name: string, file: string) =>
  `Error\n    at Parser.parse (/app/node_modules/pg/lib/parser.js:10:3)\n    at ${name} (/app/dist/${file}.js:41:11)`

const hex = (n: number) => createHash('md5').update(String(n)).digest('hex').slice(0, 12)

export const KINDS: readonly Kind[] = [
  {
    errorName: 'PaymentDeclined',
    message: (n) => `Card declined for order ${n} (customer ${hex(n)})`,
    reason: 'rejected',
    originalQueue: 'billing',
    routingKey: 'billing.charge',
    stack: frame('chargeCard', 'billing/charge'),
  },
  {
    errorName: 'TimeoutError',
    message: (n) => `Request to inventory timed out after ${1000 + (n % 500)} ms (${randomUUID()})`,
    reason: 'rejected',
    originalQueue: 'orders',
    routingKey: 'orders.created',
    stack: frame('reserveStock', 'orders/reserve'),
  },
  {
    errorName: 'ValidationError',
    message: (n) => `Field "sku" is invalid: "SKU-${n}-X"`,
    reason: 'rejected',
    originalQueue: 'orders',
    routingKey: 'orders.created',
    stack: frame('validate', 'orders/validate'),
  },
  {
    errorName: 'NotFoundError',
    message: (n) => `Customer c${n}@example.com not found`,
    reason: 'expired',
    originalQueue: 'crm',
    routingKey: 'crm.sync',
    stack: frame('loadCustomer', 'crm/customers'),
  },
  {
    errorName: 'ConnectionRefused',
    message: (n) => `connect ECONNREFUSED 127.0.0.1:${5000 + (n % 1000)}`,
    reason: 'maxlen',
    originalQueue: 'shipping',
    routingKey: 'shipping.label',
    stack: frame('printLabel', 'shipping/labels'),
  },
]

/** The fingerprint of each kind, as intake computes it (ids do not change it). */
export const KIND_FINGERPRINTS = KINDS.map((kind) =>
  fingerprint({
    errorName: kind.errorName,
    errorMessage: kind.message(1),
    stack: kind.stack,
    originalQueue: kind.originalQueue,
  }),
)

/** Epoch ms of the first dead letter; one per second after it. */
export const START = Date.UTC(2026, 11, 1)

/** The `n`th of `total` bodies (0-based), ~300 bytes of JSON; the one at 75% carries {@link DISTINCTIVE}. */
export function syntheticBody(n: number, total: number): Buffer {
  const body = {
    orderId: `o-${n}`,
    customer: { id: `c-${hex(n + 1)}`, tier: n % 3 === 0 ? 'gold' : 'standard' },
    lines: [
      { sku: `SKU-${n % 977}`, qty: (n % 4) + 1, price: 19.99 },
      { sku: `SKU-${n % 331}`, qty: 1, price: 5.5 },
    ],
    note: n === Math.floor(total * 0.75) ? `customer asked for ${DISTINCTIVE}` : 'leave at door',
    createdAt: new Date(START + n * 1000).toISOString(),
  }
  return Buffer.from(JSON.stringify(body))
}

/** The `n`th of `total` dead letters (0-based); the one at 75% carries the distinctive text. */
export function syntheticDeadLetter(n: number, total: number): NewDeadLetter {
  const kind = KINDS[n % KINDS.length] as Kind
  const messageId = `msg-${n}-${hex(n)}`
  const errorMessage = kind.message(n)
  const content = syntheticBody(n, total)
  const properties = { messageId, contentType: 'application/json', timestamp: START / 1000 + n }
  const deadLetteredAt = START + n * 1000
  return {
    vhost: BENCH_VHOST,
    queue: BENCH_QUEUE,
    content,
    properties,
    headerTable: null,
    exchange: 'dlx',
    routingKey: BENCH_QUEUE,
    redelivered: false,
    digest: createHash('sha256').update(content).update(JSON.stringify(properties)).digest('hex'),
    intakeAt: deadLetteredAt + 50,
    messageId,
    deadLetteredAt,
    reason: kind.reason,
    errorName: kind.errorName,
    errorMessage,
    originalQueue: kind.originalQueue,
    originalRoutingKey: kind.routingKey,
    fingerprint: KIND_FINGERPRINTS[n % KINDS.length] as string,
    searchText: [messageId, kind.errorName, errorMessage, content.toString()]
      .join(' ')
      .toLowerCase(),
  }
}
