import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import { visibleDiscovery } from '../scope.js'
import { resourceName } from '../security/names.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const query = z.object({ vhost: resourceName.optional() })

/** `GET /api/dead-letters`: every dead-letter queue that discovery found. */
export function deadLetterListRoutes(s: Services) {
  return new Hono<AppEnv>().get('/dead-letters', valid('query', query), async (c) => {
    const discovery = visibleDiscovery(s.discovery, c.get('actor'))
    const topology = await discovery.topology(c.req.valid('query').vhost)
    const items = topology.queues
      .filter((q) => q.role === 'dead-letter')
      .map((q) => ({
        vhost: q.vhost,
        name: q.name,
        type: q.type,
        /** Dead letters in all: what the store holds and what RabbitMQ still has. */
        messages: q.messages,
        /** Held in Warren's store (null: read live in RabbitMQ), and still in RabbitMQ. */
        stored: q.stored,
        inBroker: q.stored === null ? q.messages : q.messages - q.stored,
        consumers: q.consumers,
        /** Since the head message was dead-lettered; null when nothing tells when. */
        oldestAgeMs: q.oldestAgeMs,
        inRate: q.rates.publish,
        feeds: q.feeds,
      }))
    return c.json({ items })
  })
}
