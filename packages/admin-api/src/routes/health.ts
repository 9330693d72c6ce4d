import { Hono } from 'hono'
import type { AppEnv } from '../context.js'
import type { Services } from './services.js'

/** `GET /api/health`: open, so load balancers and the start script can poll it. */
export function healthRoutes(s: Services) {
  return new Hono<AppEnv>().get('/health', async (c) => {
    const [amqp, management] = await Promise.all([
      s.probeAmqp(),
      s.management.overview().then(
        () => true,
        () => false,
      ),
    ])
    const body = {
      status: amqp && management ? ('ok' as const) : ('degraded' as const),
      amqp: amqp ? ('up' as const) : ('down' as const),
      management: management ? ('up' as const) : ('down' as const),
    }
    return c.json(body, amqp && management ? 200 : 503)
  })
}
