import type { MiddlewareHandler } from 'hono'
import { parseArchiveId } from '../archive/list.js'
import { parseStoredArchiveId } from '../archive/stored.js'
import type { AppEnv } from '../context.js'
import { assertVisible } from '../scope.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
/** Routes that name their vhost as the first path segment after the prefix. */
const VHOST_IN_PATH = /^\/api\/(?:queues|dead-letters)\/([^/]+)/

const decoded = (segment: string) => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined // The route's validation answers 400.
  }
}

/** The vhosts a restore's body names: its `vhost`, or those of its ids. */
function restoreVhosts(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return []
  const { vhost, ids, all } = body as { vhost?: unknown; ids?: unknown; all?: unknown }
  if (all === true) return [typeof vhost === 'string' ? vhost : '/']
  if (!Array.isArray(ids)) return []
  return ids.flatMap((id) => {
    if (typeof id !== 'string') return []
    const parsed = parseArchiveId(id) ?? parseStoredArchiveId(id)
    return parsed ? [parsed.vhost] : []
  })
}

/**
 * A person (a RabbitMQ user's login) reaches only the vhosts they have permissions on, and
 * changes only those where they operate: every route that names a vhost, in its path, its
 * `vhost` query or a restore's body, answers 404 outside them and 403 where they only view.
 * Lists and counts keep to their vhosts in the routes (`visibleDiscovery`, `canSee`).
 */
export function personScope(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const actor = c.get('actor')
    if (actor?.vhosts === undefined) return next()
    const write = !SAFE_METHODS.has(c.req.method)
    const path = new URL(c.req.url).pathname
    const segment = VHOST_IN_PATH.exec(path)?.[1]
    const inPath = segment === undefined ? undefined : decoded(segment)
    if (inPath !== undefined) assertVisible(actor, inPath, write)
    const query = c.req.query('vhost')
    if (query !== undefined) assertVisible(actor, query)
    if (path === '/api/archive') assertVisible(actor, query ?? '/')
    if (path === '/api/archive/restore' && write) {
      const body: unknown = await c.req.json().catch(() => undefined)
      for (const vhost of restoreVhosts(body)) assertVisible(actor, vhost, true)
    }
    return next()
  }
}
