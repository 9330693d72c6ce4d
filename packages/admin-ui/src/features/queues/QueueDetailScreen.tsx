import { Link, useParams } from '@tanstack/react-router'
import { LineChart } from '../../components/LineChart.js'
import { ErrorNotice, Loading } from '../../components/Notice.js'
import { RoleBadge } from '../../components/RoleBadge.js'
import { StatCard } from '../../components/StatCard.js'
import { formatAge, formatCount, formatRate } from '../../lib/format.js'
import { useQueue } from './api/get-queue.js'
import { QueueTopology } from './QueueTopology.js'
import { countsByName, topologyOf } from './topology-of.js'
import { usePageTitle } from '../../lib/page-title.js'
import { Freshness, isStale } from '../../components/Freshness.js'

/** One queue: its figures, its links and its depth and rate charts. */
export function QueueDetailScreen() {
  const { vhost, name } = useParams({ from: '/queues/$vhost/$name' })
  const detail = useQueue(vhost, name)
  usePageTitle(name)
  const data = detail.data
  // The server counts the linked queues beside the queue, for the topology drawing.
  const byName = countsByName(data?.related ?? [])
  const q = data?.queue
  const depth = data?.history.depth ?? []
  const rates = data?.history.rates ?? []
  const depthPoints = (pick: (s: (typeof depth)[number]) => number | null) =>
    depth.map((s) => ({ t: Date.parse(s.at), v: pick(s) ?? 0 }))
  const ratePoints = (pick: (s: (typeof rates)[number]) => number) =>
    rates.map((s) => ({ t: Date.parse(s.at), v: pick(s) }))

  return (
    <section aria-labelledby="queue-title">
      <div className="page-header">
        <div>
          <div className="breadcrumb">
            <Link to="/queues">Queues</Link> · vhost <span className="mono">{vhost}</span>
          </div>
          <h1 id="queue-title" className="mono">
            {name} {q ? <RoleBadge role={q.role} /> : null}
          </h1>
          <Freshness source={detail} />
        </div>
        {q?.role === 'dead-letter' ? (
          <Link
            to="/dead-letters/$vhost/$queue"
            params={{ vhost, queue: name }}
            className="button primary"
          >
            Browse dead letters
          </Link>
        ) : null}
      </div>
      {detail.isError ? <ErrorNotice error={detail.error} title="Cannot read the queue" /> : null}
      {detail.isPending ? <Loading /> : null}
      {q ? (
        <>
          <div className={`stats${isStale(detail) ? ' stale' : ''}`}>
            <StatCard label="Messages" value={formatCount(q.messages)} testId="queue-messages" />
            <StatCard label="Ready" value={formatCount(q.ready)} />
            <StatCard label="Unacked" value={formatCount(q.unacked)} />
            <StatCard label="Consumers" value={formatCount(q.consumers)} />
            <StatCard label="Publish" value={formatRate(q.rates.publish)} />
            <StatCard label="Deliver" value={formatRate(q.rates.deliver)} />
            <StatCard label="Ack" value={formatRate(q.rates.ack)} />
            <StatCard label="Oldest message" value={formatAge(q.oldestAgeMs)} />
          </div>
          <div className="charts">
            <LineChart
              title="Depth"
              format={formatCount}
              testId="depth-chart"
              series={[
                { label: 'Ready', color: 'var(--chart-1)', points: depthPoints((s) => s.ready) },
                {
                  label: 'Unacked',
                  color: 'var(--chart-3)',
                  points: depthPoints((s) => s.unacked),
                },
              ]}
            />
            <LineChart
              title="Rates"
              format={formatRate}
              testId="rate-chart"
              series={[
                { label: 'Publish', color: 'var(--chart-1)', points: ratePoints((s) => s.publish) },
                { label: 'Deliver', color: 'var(--chart-2)', points: ratePoints((s) => s.deliver) },
                { label: 'Ack', color: 'var(--chart-3)', points: ratePoints((s) => s.ack) },
              ]}
            />
          </div>
          {q.role === 'work' ? (
            <section className="card" aria-labelledby="links-title">
              <h2 id="links-title">Topology</h2>
              <QueueTopology {...topologyOf(q, byName)} />
            </section>
          ) : null}
        </>
      ) : null}
    </section>
  )
}
