import { describe, expect, it } from 'vitest'
import { defineTopology, ValidationError } from './index.js'
import type { StandardSchemaV1 } from './schema.js'
import { FakeBroker } from './testing/index.js'

interface Order {
  orderId: string
}

/**
 * A schema from no library at all, only the Standard Schema interface (as valibot's or arktype's
 * are): it accepts `{ orderId: string }` and gives the id upper-cased, to show where its output is.
 */
export const orderSchema: StandardSchemaV1<Order, { orderId: string; normalised: true }> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate(value) {
      const id = (value as { orderId?: unknown } | null)?.orderId
      if (typeof id === 'string') return { value: { orderId: id.toUpperCase(), normalised: true } }
      return { issues: [{ message: 'must be a string', path: [{ key: 'orderId' }] }] }
    },
  },
}

const later: StandardSchemaV1<Order> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: (value) => Promise.resolve({ value: value as Order }),
  },
}

export const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: { 'billing.charge': { bindings: [{ exchange: 'orders', routingKey: 'order.*' }] } },
  messages: { 'order.created': orderSchema, 'order.later': later },
})

describe('schemas of any Standard Schema library', () => {
  it("validate a publish, naming each issue's path, and send nothing when refused", async () => {
    const fake = new FakeBroker({ topology })
    try {
      const refused = await fake
        .publish('orders', 'order.created', { orderId: 7 } as never)
        .catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(ValidationError)
      expect((refused as ValidationError).issues).toEqual([
        { path: ['orderId'], message: 'must be a string' },
      ])
      expect(fake.published).toEqual([])
    } finally {
      await fake.close()
    }
  })

  it("hand the handler the schema's output", async () => {
    const fake = new FakeBroker({ topology })
    try {
      const bodies: unknown[] = []
      await fake.consume('billing.charge', (msg) => {
        bodies.push(msg.body)
      })
      await fake.publish('orders', 'order.created', { orderId: 'o-1' })
      await fake.drain()
      expect(bodies).toEqual([{ orderId: 'O-1', normalised: true }])
    } finally {
      await fake.close()
    }
  })

  it('are refused when they validate asynchronously, before anything is sent', async () => {
    const fake = new FakeBroker({ topology })
    try {
      const refused = await fake
        .publish('orders', 'order.later', { orderId: 'o-1' })
        .catch((error: unknown) => error)
      expect(refused).toBeInstanceOf(ValidationError)
      expect((refused as ValidationError).message).toMatch(/validates asynchronously/)
      expect(fake.published).toEqual([])
    } finally {
      await fake.close()
    }
  })
})
