import { defineTopology } from '@warren/sdk'
import { z } from 'zod'

export const orderCreated = z.object({
  orderId: z.string(),
  customer: z.string(),
  amount: z.number().positive(),
  currency: z.string().length(3),
})

export const orderPaid = z.object({ orderId: z.string(), paidAt: z.string() })

export const topology = defineTopology({
  exchanges: { shop: { type: 'topic' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'shop', routingKey: 'order.created' }],
      retry: { delays: ['2s', '10s'], maxAttempts: 3 },
    },
    'shipping.dispatch': {
      bindings: [{ exchange: 'shop', routingKey: 'order.paid' }],
      retry: { delays: ['5s', '15s'], maxAttempts: 3 },
    },
    'email.notify': {
      type: 'classic',
      bindings: [{ exchange: 'shop', routingKey: 'order.created' }],
      retry: { delays: ['3s'], maxAttempts: 2 },
    },
  },
  messages: { 'order.created': orderCreated, 'order.paid': orderPaid },
})
