// Compiled by `pnpm typecheck`: a Standard Schema from no library types publish and consume as a
// zod schema does (see topology/types.test-d.ts).
import { expectTypeOf } from 'vitest'
import type { Broker } from './broker.js'
import type { topology } from './schema.test.js'

declare const broker: Broker<typeof topology>

export function bodiesAreTheSchemas() {
  void broker.publish('orders', 'order.created', { orderId: 'o-1' })
  // @ts-expect-error the schema's input is checked on publish
  void broker.publish('orders', 'order.created', { orderId: 1 })
  void broker.consume('billing.charge', {
    'order.created': (msg) => {
      expectTypeOf(msg.body).toEqualTypeOf<{ orderId: string; normalised: true }>()
    },
  })
}
