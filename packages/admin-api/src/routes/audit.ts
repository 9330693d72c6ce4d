import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const query = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

/** `GET /api/audit`: who did what, newest first; `GET /api/audit/verify`: is the chain whole. */
export function auditRoutes(s: Services) {
  return new Hono<AppEnv>()
    .get('/audit', valid('query', query), async (c) => {
      const { limit, offset } = c.req.valid('query')
      const page = await s.audit.list({ limit, offset })
      return c.json({ items: page.items, total: page.total, limit, offset })
    })
    .get('/audit/verify', async (c) => {
      const { last: _last, ...result } = await s.audit.verify()
      return c.json(result)
    })
}
