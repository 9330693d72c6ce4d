import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../context.js'
import type { DiscoveredQueue } from '../discovery/index.js'
import { ApiError } from '../errors.js'
import type { ManagementQueue } from '../rabbit/management-schemas.js'
import { assertInScope } from '../scope.js'
import { queueParams, resourceName } from '../security/names.js'
import type { Services } from './services.js'
import { zv } from './validate.js'

/** Largest page the queue list serves, so one request can't ask for everything at once. */
export const MAX_PAGE_SIZE = 500

const SORT_KEYS = {
  name: (q: DiscoveredQueue) => q.name,
  vhost: (q: DiscoveredQueue) => q.vhost,
  role: (q: DiscoveredQueue) => q.role,
  messages: (q: DiscoveredQueue) => q.messages,
  ready: (q: DiscoveredQueue) => q.ready,
  unacked: (q: DiscoveredQueue) => q.unacked,
  consumers: (q: DiscoveredQueue) => q.consumers,
  publishRate: (q: DiscoveredQueue) => q.rates.publish,
  deliverRate: (q: DiscoveredQueue) => q.rates.deliver,
  ackRate: (q: DiscoveredQueue) => q.rates.ack,
} as const

const listQuery = z.object({
  vhost: resourceName.optional(),
  search: z.string().max(255).optional(),
  role: z.enum(['work', 'retry', 'dead-letter', 'other']).optional(),
  sort: z.enum(Object.keys(SORT_KEYS) as [keyof typeof SORT_KEYS]).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
})

const detailQuery = z.object({
  /** Seconds of history (the management API keeps 10 minutes at 5 s resolution by default). */
  range: z.coerce.number().int().min(60).max(86_400).default(600),
})

/** `GET /api/queues` and `GET /api/queues/:vhost/:name`. */
export function queueRoutes(s: Services) {
  return new Hono<AppEnv>()
    .get('/queues', zv('query', listQuery), async (c) => {
      const q = c.req.valid('query')
      const topology = await s.discovery.topology(q.vhost)
      const needle = q.search?.toLowerCase()
      const filtered = topology.queues.filter(
        (queue) =>
          (!q.role || queue.role === q.role) &&
          (!needle || `${queue.vhost}/${queue.name}`.toLowerCase().includes(needle)),
      )
      const key = SORT_KEYS[q.sort]
      const direction = q.order === 'asc' ? 1 : -1
      filtered.sort((a, b) => {
        const x = key(a)
        const y = key(b)
        const primary =
          typeof x === 'number' && typeof y === 'number'
            ? x - y
            : String(x).localeCompare(String(y))
        return primary * direction || a.name.localeCompare(b.name)
      })
      const start = (q.page - 1) * q.pageSize
      return c.json({
        items: filtered.slice(start, start + q.pageSize),
        total: filtered.length,
        page: q.page,
        pageSize: q.pageSize,
      })
    })
    .get('/queues/:vhost/:name', zv('param', queueParams), zv('query', detailQuery), async (c) => {
      const { vhost, name } = c.req.valid('param')
      const { range } = c.req.valid('query')
      assertInScope(s.config.vhosts, vhost)
      const incr = Math.max(5, Math.round(range / 60))
      const [detail, topology] = await Promise.all([
        s.management.queue(vhost, name, { ageSeconds: range, incrSeconds: incr }),
        s.discovery.topology(vhost),
      ])
      const queue = topology.queues.find((q) => q.name === name)
      if (!queue) throw new ApiError(404, 'not-found', 'Not found', 'No such queue')
      return c.json({
        queue,
        arguments: detail.arguments,
        history: { depth: depthHistory(detail), rates: rateHistory(detail) },
      })
    })
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
