import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import type { ManagementQueue } from '../rabbit/management-schemas.js'
import { assertInScope, visibleDiscovery } from '../scope.js'
import { queueParams } from '../security/names.js'
import { listQueues, oneQueue } from './queues-list.js'
import { queueListQuery } from './queues-query.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const detailQuery = z.object({
  /** Seconds of history (the management API keeps 10 minutes at 5 s resolution by default). */
  range: z.coerce.number().int().min(60).max(86_400).default(600),
})

/** `GET /api/queues` and `GET /api/queues/:vhost/:name`. */
export function queueRoutes(s: Services) {
  return new Hono<AppEnv>()
    .get('/queues', valid('query', queueListQuery), async (c) =>
      c.json(
        await listQueues(
          { ...s, discovery: visibleDiscovery(s.discovery, c.get('actor')) },
          c.req.valid('query'),
        ),
      ),
    )
    .get(
      '/queues/:vhost/:name',
      valid('param', queueParams),
      valid('query', detailQuery),
      async (c) => {
        const { vhost, name } = c.req.valid('param')
        const { range } = c.req.valid('query')
        assertInScope(s.config.vhosts, vhost)
        const incr = Math.max(5, Math.round(range / 60))
        const [detail, found] = await Promise.all([
          s.management.queue(vhost, name, { ageSeconds: range, incrSeconds: incr }),
          oneQueue(s, vhost, name),
        ])
        if (!found) throw new ApiError(404, 'not-found', 'Not found', 'No such queue')
        return c.json({
          queue: found.queue,
          related: found.related,
          arguments: detail.arguments,
          history: { depth: depthHistory(detail), rates: rateHistory(detail) },
        })
      },
    )
}

type Samples = { sample: number; timestamp: number }[] | undefined

const byTime = (samples: Samples) => [...(samples ?? [])].sort((a, b) => a.timestamp - b.timestamp)

function depthHistory(q: ManagementQueue) {
  const ready = new Map(
    byTime(q.messages_ready_details?.samples).map((s) => [s.timestamp, s.sample]),
  )
  const unacked = new Map(
    byTime(q.messages_unacknowledged_details?.samples).map((s) => [s.timestamp, s.sample]),
  )
  return byTime(q.messages_details?.samples).map((s) => ({
    at: new Date(s.timestamp).toISOString(),
    messages: s.sample,
    ready: ready.get(s.timestamp) ?? null,
    unacked: unacked.get(s.timestamp) ?? null,
  }))
}

/** Per-second rates between consecutive cumulative samples. */
function rateHistory(q: ManagementQueue) {
  const stats = q.message_stats ?? {}
  const series = {
    publish: byTime(stats.publish_details?.samples),
    deliver: byTime(stats.deliver_get_details?.samples),
    ack: byTime(stats.ack_details?.samples),
    redeliver: byTime(stats.redeliver_details?.samples),
  }
  const rateAt = (samples: { sample: number; timestamp: number }[], i: number) => {
    const now = samples[i]
    const before = samples[i - 1]
    if (!now || !before || now.timestamp === before.timestamp) return 0
    return Math.max(0, ((now.sample - before.sample) * 1000) / (now.timestamp - before.timestamp))
  }
  const longest = Object.values(series).reduce((a, b) => (b.length > a.length ? b : a), [])
  const index = (samples: { sample: number; timestamp: number }[]) =>
    new Map(samples.map((s, i) => [s.timestamp, rateAt(samples, i)]))
  const maps = {
    publish: index(series.publish),
    deliver: index(series.deliver),
    ack: index(series.ack),
    redeliver: index(series.redeliver),
  }
  return longest.slice(1).map((s) => ({
    at: new Date(s.timestamp).toISOString(),
    publish: maps.publish.get(s.timestamp) ?? 0,
    deliver: maps.deliver.get(s.timestamp) ?? 0,
    ack: maps.ack.get(s.timestamp) ?? 0,
    redeliver: maps.redeliver.get(s.timestamp) ?? 0,
  }))
}
