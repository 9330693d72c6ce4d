import { Hono } from 'hono'
import type { AppEnv } from '../context.js'
import type { Services } from './services.js'

/**
 * How long one reading answers every health poll. Load balancers, the start script and every
 * open console poll this route; without the cache each poll costs a management API call and a
 * TCP probe of each AMQP node.
 */
export const HEALTH_CACHE_MS = 2000

type Up = 'up' | 'down'
type Health = {
  status: 'ok' | 'degraded'
  amqp: Up
  management: Up
  /**
   * The management API (base URL, no credentials) that answered, when one did; only to a caller
   * with a token or session, since an address inside the network is no stranger's business.
   */
  managementUrl?: string
}

/** `GET /api/health`: open, so load balancers and the start script can poll it. */
export function healthRoutes(s: Services) {
  let cached: { at: number; reading: Promise<Health> } | undefined

  const check = async (): Promise<Health> => {
    const [amqp, management] = await Promise.all([
      s.probeAmqp(),
      s.management.overview().then(
        () => true,
        () => false,
      ),
    ])
    const answeredBy = management ? s.management.answeredBy() : undefined
    return {
      status: amqp && management ? 'ok' : 'degraded',
      amqp: amqp ? 'up' : 'down',
      management: management ? 'up' : 'down',
      ...(answeredBy === undefined ? {} : { managementUrl: answeredBy }),
    }
  }

  // Concurrent polls share one reading; neither probe rejects, so nothing is cached as an error.
  const reading = () => {
    const at = s.now()
    if (!cached || at - cached.at >= HEALTH_CACHE_MS) cached = { at, reading: check() }
    return cached.reading
  }

  return new Hono<AppEnv>().get('/health', async (c) => {
    const { managementUrl, ...body } = await reading()
    const known = c.get('actor') !== undefined && managementUrl !== undefined
    return c.json(known ? { ...body, managementUrl } : body, body.status === 'ok' ? 200 : 503)
  })
}
