// The demo workload of `pnpm start`: a small shop whose services talk through @warren/sdk.
// Handlers fail now and then, the way real ones do, so that the console shows rates, retries and
// dead letters of every kind within a minute: transient errors that a retry fixes, permanent
// errors (NonRetryableError), errors that persist until max attempts, and payloads that a legacy
// service (plain amqplib, no schema) gets wrong.
import { connect, NonRetryableError } from '@warren/sdk'
import amqplib from 'amqplib'
import { orderCreated, topology } from './topology.js'

const url = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const ordersPerSecond = Number(process.env.WARREN_DEMO_RATE ?? 20)

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const chance = (probability: number) => Math.random() < probability
/** Some orders fail at the warehouse on every attempt, so they reach the DLQ by max attempts. */
const unlucky = (orderId: string) => Number.parseInt(orderId.slice(-2), 16) % 40 === 0

const storefront = await connect({ url, topology, service: 'storefront' })
const billing = await connect({ url, topology, service: 'billing' })
const shipping = await connect({ url, topology, service: 'shipping' })
const email = await connect({ url, topology, service: 'email' })

await billing.consume(
  'billing.charge',
  async (msg) => {
    await sleep(5 + Math.random() * 20)
    if (msg.body.amount > 900) {
      throw new NonRetryableError(`Card declined: amount ${msg.body.amount} exceeds the card limit`)
    }
    if (chance(0.08)) throw new Error('Payment gateway timed out after 5000 ms')
    await billing.publish('shop', 'order.paid', {
      orderId: msg.body.orderId,
      paidAt: new Date().toISOString(),
    })
  },
  { prefetch: 50, concurrency: 10, timeout: '10s' },
)

await shipping.consume(
  'shipping.dispatch',
  async (msg) => {
    await sleep(10 + Math.random() * 30)
    if (unlucky(msg.body.orderId)) {
      throw new Error(`Warehouse API returned 503 for order ${msg.body.orderId}`)
    }
  },
  { prefetch: 20, concurrency: 5, timeout: '10s' },
)

await email.consume(
  'email.notify',
  async () => {
    await sleep(2 + Math.random() * 10)
    if (chance(0.02)) throw new Error('SMTP 451: temporary local problem, try again later')
  },
  { prefetch: 50, concurrency: 20, timeout: '10s' },
)

// A legacy importer that doesn't use the SDK: it sometimes sends bodies that fail the schema.
const legacy = await amqplib.connect(url)
const legacyChannel = await legacy.createConfirmChannel()

let sequence = 0
const timer = setInterval(() => {
  sequence += 1
  const orderId = `o-${Date.now().toString(16)}${sequence.toString(16).padStart(4, '0')}`
  const body = orderCreated.parse({
    orderId,
    customer: `customer-${sequence % 97}`,
    amount: Math.round((5 + Math.random() * (chance(0.03) ? 2000 : 400)) * 100) / 100,
    currency: 'EUR',
  })
  storefront.publish('shop', 'order.created', body).catch((error: unknown) => {
    console.error('[demo] publish failed:', error)
  })
  if (sequence % 150 === 0) {
    const broken = chance(0.5)
      ? '{"orderId": 42, "amount": "twelve"'
      : JSON.stringify({ orderId: 42 })
    legacyChannel.publish('shop', 'order.created', Buffer.from(broken), {
      contentType: 'application/json',
      persistent: true,
      appId: 'legacy-importer',
    })
  }
}, 1000 / ordersPerSecond)

console.log(
  `[demo] shop workload running: ${ordersPerSecond} orders/s (WARREN_DEMO=0 turns it off)`,
)

async function stop() {
  clearInterval(timer)
  await legacy.close().catch(() => undefined)
  await Promise.allSettled([storefront, billing, shipping, email].map((broker) => broker.close()))
  process.exit(0)
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
