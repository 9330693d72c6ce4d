import { Hono } from 'hono'
import { z } from 'zod'
import type { AlertMonitor } from '../alerts/index.js'
import type { AppEnv } from '../context.js'
import { canSee } from '../scope.js'
import { resourceName } from '../security/names.js'
import { valid } from './validate.js'

const query = z.object({ vhost: resourceName.optional() })

/** `GET /api/alerts`: evaluates on demand (through the discovery cache) and lists what is active. */
export function alertRoutes(alerts: AlertMonitor) {
  return new Hono<AppEnv>().get('/alerts', valid('query', query), async (c) => {
    const { vhost } = c.req.valid('query')
    const active = await alerts.evaluate()
    const items = active
      .filter((alert) => vhost === undefined || alert.vhost === vhost)
      .filter((alert) => canSee(c.get('actor'), alert.vhost))
      .sort((a, b) => a.since.localeCompare(b.since) || a.queue.localeCompare(b.queue))
    return c.json({ items })
  })
}
