// The sample service that scripts/pack-install.mjs installs the packed tarballs into: a billing
// consumer with a retry tier and a dead letter, a pricing responder, the admin API embedded to
// show the dead letter, and a vitest test of the same handler on the SDK's fake broker.

const topology = `import { defineTopology } from '@warren/sdk'
import { z } from 'zod'

export const topology = defineTopology({
  exchanges: { orders: { type: 'topic' }, pricing: { type: 'direct' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      retry: { delays: ['1s'], maxAttempts: 2 },
    },
    'pricing.quote': { bindings: [{ exchange: 'pricing', routingKey: 'quote.get' }] },
  },
  messages: {
    'order.created': z.object({ orderId: z.string(), amount: z.number().positive() }),
    'quote.get': z.object({ sku: z.string(), qty: z.number().int().positive() }),
  },
})
`

const billing = `import { NonRetryableError, type BrokerLike } from '@warren/sdk'
import type { topology } from './topology.js'

/** Charges orders: a first failure of a 'flaky-' order is retried, a huge amount dead-lettered. */
export async function startBilling(
  broker: BrokerLike<typeof topology>,
  charged: (orderId: string, attempt: number) => void,
) {
  await broker.consume('billing.charge', async (msg) => {
    if (msg.body.amount > 10_000) throw new NonRetryableError('needs manual approval')
    if (msg.body.orderId.startsWith('flaky-') && msg.attempt === 1) throw new Error('bank timeout')
    charged(msg.body.orderId, msg.attempt)
  })
  await broker.respond('pricing.quote', async (msg) => ({ sku: msg.body.sku, total: msg.body.qty * 5 }))
}
`

const service = `import assert from 'node:assert/strict'
import { createWarrenAdmin, loadConfig, type BrowseResult } from '@warren/admin-api'
import { connect } from '@warren/sdk'
import { z } from 'zod'
import { startBilling } from './billing.js'
import { topology } from './topology.js'

const broker = await connect({ topology, service: 'billing' })
const charges = new Map<string, number>()
let settled: () => void = () => {}
const bothCharged = new Promise<void>((resolve) => (settled = resolve))
await startBilling(broker, (orderId, attempt) => {
  charges.set(orderId, attempt)
  if (charges.size === 2) settled()
})

await broker.publish('orders', 'order.created', { orderId: 'o-1', amount: 12 })
await broker.publish('orders', 'order.created', { orderId: 'flaky-2', amount: 30 })
await broker.publish('orders', 'order.created', { orderId: 'big-3', amount: 20_000 })
await bothCharged
assert.deepEqual(Object.fromEntries(charges), { 'o-1': 1, 'flaky-2': 2 })
console.log('consumed o-1 at once, flaky-2 on its retry')

const quote = await broker.request('pricing', 'quote.get', { sku: 'A-1', qty: 3 }, {
  reply: z.object({ sku: z.string(), total: z.number() }),
  timeout: '5s',
})
assert.deepEqual(quote, { sku: 'A-1', total: 15 })
console.log('request/reply answered', JSON.stringify(quote))

const admin = createWarrenAdmin({ config: loadConfig() })
try {
  const vhost = encodeURIComponent(process.env.WARREN_VHOSTS ?? '/')
  const path = \`/api/dead-letters/\${vhost}/billing.charge.dlq/messages\`
  let seen: { payload: unknown; reason: string | null }[] = []
  for (let i = 0; i < 50 && seen.length === 0; i++) {
    const response = await admin.fetch(
      new Request(\`http://service\${path}\`, { headers: { authorization: \`Bearer \${admin.adminToken}\` } }),
    )
    assert.equal(response.status, 200)
    const page = (await response.json()) as BrowseResult
    seen = page.items.map(({ payload, reason }) => ({ payload, reason }))
    if (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  assert.deepEqual(seen, [{ payload: { orderId: 'big-3', amount: 20_000 }, reason: 'non-retryable' }])
  console.log('the admin API shows big-3 in billing.charge.dlq')
} finally {
  await admin.close()
  await broker.close()
}
`

const fakeTest = `import { FakeBroker } from '@warren/sdk/testing'
import { expect, it } from 'vitest'
import { startBilling } from './billing.js'
import { topology } from './topology.js'

it('retries a flaky order and dead-letters a huge one, on the fake broker', async () => {
  const fake = new FakeBroker({ topology, service: 'billing' })
  const charged: string[] = []
  await startBilling(fake, (orderId) => charged.push(orderId))
  await fake.publish('orders', 'order.created', { orderId: 'flaky-1', amount: 5 })
  await fake.publish('orders', 'order.created', { orderId: 'big-2', amount: 20_000 })
  await fake.drain()
  expect(charged).toEqual(['flaky-1'])
  const [dead] = fake.deadLetters('billing.charge')
  expect(dead?.body).toEqual({ orderId: 'big-2', amount: 20_000 })
  expect(dead?.headers['warren-dead-letter-reason']).toBe('non-retryable')
  await fake.close()
})
`

/** The sample project's files, keyed by path. */
export function sampleFiles({ tarballs, versions, skipLibCheck }) {
  const tarball = (prefix) => `file:../${tarballs.find((name) => name.startsWith(prefix))}`
  return {
    'package.json': JSON.stringify(
      {
        name: 'sample-billing-service',
        private: true,
        type: 'module',
        dependencies: {
          '@warren/admin-api': tarball('warren-admin-api-'),
          '@warren/sdk': tarball('warren-sdk-'),
          zod: versions.zod,
        },
        devDependencies: {
          '@arethetypeswrong/cli': '^0.18.5',
          '@types/node': versions['@types/node'],
          publint: '^0.3.25',
          typescript: versions.typescript,
          vitest: versions.vitest,
        },
      },
      null,
      2,
    ),
    'tsconfig.json': JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck,
          types: ['node'],
          outDir: 'dist',
          rootDir: 'src',
        },
        include: ['src'],
      },
      null,
      2,
    ),
    'vitest.config.js': `export default { test: { include: ['src/**/*.test.ts'] } }\n`,
    'src/topology.ts': topology,
    'src/billing.ts': billing,
    'src/service.ts': service,
    'src/billing.test.ts': fakeTest,
  }
}
