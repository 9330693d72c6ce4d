import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import { canSee } from '../scope.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

/** The vhost of a target like `/%2F/orders.dlq`; undefined for `session`. */
function vhostOfTarget(target: string): string | undefined {
  const segment = /^\/([^/]+)\//.exec(target)?.[1]
  if (segment === undefined) return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** `GET /api/audit`: who did what, newest first; `GET /api/audit/verify`: is the chain whole. */
export function auditRoutes(s: Services) {
  return new Hono<AppEnv>()
    .get('/audit', valid('query', query), async (c) => {
      const { limit, offset } = c.req.valid('query')
      const actor = c.get('actor')
      if (actor.vhosts === undefined) {
        const page = await s.audit.list({ limit, offset })
        return c.json({ items: page.items, total: page.total, limit, offset })
      }
      // A person reads what happened in their vhosts, and their own logins.
      const all = await s.audit.list({ limit: Number.MAX_SAFE_INTEGER, offset: 0 })
      const mine = all.items.filter((entry) => {
        const vhost = vhostOfTarget(entry.target)
        return vhost === undefined ? entry.actor.name === actor.name : canSee(actor, vhost)
      })
      return c.json({
        items: mine.slice(offset, offset + limit),
        total: mine.length,
        limit,
        offset,
      })
    })
    .get('/audit/verify', async (c) => {
      const { last: _last, ...result } = await s.audit.verify()
      return c.json(result)
    })
}
