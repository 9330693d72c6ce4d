// Compiled by `pnpm typecheck` (tsc over src/): each `@ts-expect-error` fails the build when the
// line under it compiles, and each `expectTypeOf` fails it when the type differs.
import { expectTypeOf } from 'vitest'
import { z } from 'zod'
import type { Broker } from '../broker.js'
import type { BrokerLike } from '../broker-like.js'
import { defineTopology } from './define.js'

export const topology = defineTopology({
  exchanges: { orders: { type: 'topic' }, payments: { type: 'direct' } },
  queues: {
    'billing.charge': { bindings: [{ exchange: 'orders', routingKey: 'order.*' }] },
    'ledger.post': { bindings: [{ exchange: 'payments', routingKey: 'payment.captured' }] },
  },
  messages: {
    'order.created': z.object({ orderId: z.string() }),
    'order.audit': z.object({ auditId: z.number() }),
    'payment.captured': z.object({ paymentId: z.string() }),
  },
})

declare const broker: Broker<typeof topology>
declare const like: BrokerLike<typeof topology>
declare const untyped: Broker

export function exchangesAreTheTopologys() {
  void broker.publish('orders', 'order.created', { orderId: 'o-1' })
  void broker.publish('', 'billing.charge', {})
  void broker.publish('amq.topic', 'anything', {})
  // @ts-expect-error a typo in the exchange name does not compile
  void broker.publish('order', 'order.created', { orderId: 'o-1' })
  // @ts-expect-error nor through BrokerLike, which the fake implements
  void like.publish('paymnets', 'payment.captured', { paymentId: 'p-1' })
  // @ts-expect-error nor in a batch
  void broker.publishBatch([{ exchange: 'ordres', routingKey: 'order.created', body: {} }])
  // @ts-expect-error nor in a request
  void broker.request('pricing', 'quote.get', {})
  // @ts-expect-error nor in a schedule
  void broker.schedule('* * * * *', 'report', 'report.nightly', {})
  // A topology without exchanges accepts any.
  void untyped.publish('whatever', 'key', { any: 'thing' })
}

export function routingKeysStayOpen() {
  // A topic pattern, another service's binding or an alternate exchange may route any key.
  void broker.publish('orders', 'order.shipped.eu', {})
  void broker.publish('payments', 'payment.refunded', {})
}

export function theBodyFollowsTheMessageName() {
  // The name is `options.type` when given, else the routing key: one rule for both.
  void broker.publish('orders', 'order.created', { orderId: 'o-1' })
  // @ts-expect-error the routing key's schema applies without `type`
  void broker.publish('orders', 'order.created', { auditId: 1 })
  void broker.publish('orders', 'order.created', { auditId: 1 }, { type: 'order.audit' })
  // @ts-expect-error `type` names the schema, not the routing key
  void broker.publish('orders', 'order.created', { orderId: 'o-1' }, { type: 'order.audit' })
}

export function handlersAreByMessageName() {
  void broker.consume('billing.charge', {
    'order.created': (msg) => {
      expectTypeOf(msg.body).toEqualTypeOf<{ orderId: string }>()
    },
    'order.audit': (msg) => {
      expectTypeOf(msg.body).toEqualTypeOf<{ auditId: number }>()
    },
  })
  void broker.consume('ledger.post', (msg) => {
    expectTypeOf(msg.body).toEqualTypeOf<{ paymentId: string }>()
  })
  // @ts-expect-error a queue the topology does not declare
  void broker.consume('ledger.psot', () => {})
}
