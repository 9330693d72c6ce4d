import { Hono } from 'hono'
import type { AlertMonitor } from '../alerts/index.js'
import type { AppEnv } from '../context.js'
import type { DiscoveredQueue } from '../discovery/index.js'
import { canSee, visibleDiscovery } from '../scope.js'
import { createDeadLetterHistory, OVERVIEW_HISTORY, overviewHistory } from './overview-history.js'
import type { Services } from './services.js'

const sum = (queues: readonly DiscoveredQueue[], of: (q: DiscoveredQueue) => number) =>
  queues.reduce((total, q) => total + of(q), 0)

/** `GET /api/overview`: the broker at a glance. */
export function overviewRoutes(s: Services, alerts: AlertMonitor) {
  const deadLetterHistory = createDeadLetterHistory(s.management, s.now)
  return new Hono<AppEnv>().get('/overview', async (c) => {
    const actor = c.get('actor')
    const [overview, nodes, topology, evaluated] = await Promise.all([
      s.management.overview(OVERVIEW_HISTORY),
      s.management.nodes(),
      visibleDiscovery(s.discovery, actor).topology(),
      alerts.evaluate(),
    ])
    const active = evaluated.filter((alert) => canSee(actor, alert.vhost))
    // A person sees the figures of their own vhosts: the broker's totals count every vhost.
    const scoped = s.config.vhosts !== undefined || actor.vhosts !== undefined
    // Broker-wide rates say nothing of a person's vhosts: theirs are their queues' own.
    const shown = actor.vhosts === undefined ? overview : { ...overview, message_stats: {} }
    const stats = shown.message_stats ?? {}
    const ownTotals = scoped || overview.queue_totals?.messages === undefined
    const deadLetterQueues = topology.queues.filter((q) => q.role === 'dead-letter')
    const deadLetterRates = await deadLetterHistory(deadLetterQueues)
    const statistics = s.management.statistics()
    return c.json({
      broker: {
        version: overview.rabbitmq_version ?? overview.product_version ?? null,
        managementVersion: overview.management_version ?? null,
        clusterName: overview.cluster_name ?? null,
        nodes: nodes.map((node) => ({
          name: node.name,
          running: node.running ?? false,
          type: node.type ?? null,
        })),
        // Without the management plugin's statistics, history starts when this API first read.
        statistics:
          statistics.source === 'management'
            ? { source: 'management', since: null }
            : {
                source: 'prometheus',
                since: statistics.since === null ? null : new Date(statistics.since).toISOString(),
              },
      },
      totals: {
        // The broker's totals count every vhost, and a broker without statistics has none: then
        // the watched queues are counted, as discovery read them.
        ...(ownTotals
          ? {
              messages: sum(topology.queues, (q) => q.messages),
              ready: sum(topology.queues, (q) => q.ready),
              unacked: sum(topology.queues, (q) => q.unacked),
            }
          : {
              messages: overview.queue_totals?.messages ?? 0,
              ready: overview.queue_totals?.messages_ready ?? 0,
              unacked: overview.queue_totals?.messages_unacknowledged ?? 0,
            }),
        queues: topology.queues.length,
        connections: actor.vhosts === undefined ? (overview.object_totals?.connections ?? 0) : 0,
        consumers:
          !scoped && overview.object_totals?.consumers !== undefined
            ? overview.object_totals.consumers
            : sum(topology.queues, (q) => q.consumers),
      },
      rates: {
        publish: stats.publish_details?.rate ?? 0,
        deliver: stats.deliver_get_details?.rate ?? 0,
        ack: stats.ack_details?.rate ?? 0,
        redeliver: stats.redeliver_details?.rate ?? 0,
        deadLetter: deadLetterQueues.reduce((sum, q) => sum + q.rates.publish, 0),
      },
      queues: {
        work: topology.queues.filter((q) => q.role === 'work').length,
        retry: topology.queues.filter((q) => q.role === 'retry').length,
        deadLetter: deadLetterQueues.length,
        other: topology.queues.filter((q) => q.role === 'other').length,
      },
      deadLetters: deadLetterQueues.reduce((sum, q) => sum + q.messages, 0),
      alerts: active,
      /** The last ten minutes at 10 s steps, so charts have a past when the page opens. */
      history: overviewHistory(shown, deadLetterRates),
    })
  })
}
