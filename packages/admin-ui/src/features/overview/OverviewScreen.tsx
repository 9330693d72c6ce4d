import { Link, useNavigate, useSearch } from '@tanstack/react-router'
import { LineChart } from '../../components/LineChart.js'
import { ErrorNotice, Loading } from '../../components/Notice.js'
import { StatCard } from '../../components/StatCard.js'
import { formatCount, formatRate } from '../../lib/format.js'
import { useNow } from '../../lib/use-now.js'
import { AlertList } from '../alerts/AlertList.js'
import { useDeadLetterQueues } from '../dead-letters/api/get-dead-letter-queues.js'
import { useOverview, useRateHistory } from './api/get-overview.js'
import { useTopErrors } from './api/get-top-errors.js'
import { chartHistory } from './chart-history.js'
import { IncidentBoard } from './IncidentBoard.js'
import { incidentsOf } from './incidents.js'
import { usePageTitle } from '../../lib/page-title.js'
import { Freshness, isStale } from '../../components/Freshness.js'

/** What is failing first (the incident board), then the broker's totals, rates and alerts. */
export function OverviewScreen() {
  const overview = useOverview()
  usePageTitle('Overview')
  const dlqs = useDeadLetterQueues()
  const live = useRateHistory()
  const now = useNow()
  const o = overview.data
  const dlqItems = dlqs.data?.items ?? []
  const topErrorOf = useTopErrors(dlqItems)
  const { vhost } = useSearch({ from: '/' })
  const navigate = useNavigate({ from: '/' })
  const allIncidents = incidentsOf(dlqItems, o?.alerts ?? [], topErrorOf)
  const incidents = vhost ? allIncidents.filter((i) => i.vhost === vhost) : allIncidents
  const vhosts = [...new Set([...allIncidents.map((i) => i.vhost), ...(vhost ? [vhost] : [])])]
  const deadLetterQueues = new Set(dlqItems.map((d) => `${d.vhost}\u0000${d.name}`))
  const otherAlerts = (o?.alerts ?? []).filter(
    (a) => !deadLetterQueues.has(`${a.vhost}\u0000${a.queue}`),
  )
  const history = chartHistory(o?.history ?? [], live)
  const series = (
    name: keyof (typeof history)[number]['values'],
    label: string,
    color: string,
  ) => ({
    label,
    color,
    points: history.map((s) => ({ t: s.t, v: s.values[name] })),
  })

  return (
    <section aria-labelledby="overview-title">
      <div className="page-header">
        <div>
          <h1 id="overview-title">Overview</h1>
          {o ? (
            <p className="muted" data-testid="broker-info">
              RabbitMQ {o.broker.version ?? '?'}
              {o.broker.clusterName ? ` · ${o.broker.clusterName}` : ''} ·{' '}
              {o.broker.nodes
                .map((node) => `${node.name}${node.running ? '' : ' (down)'}`)
                .join(', ')}
              {o.broker.statistics.source === 'prometheus' ? (
                <span data-testid="statistics-source">
                  {' '}
                  · no management statistics: counts by queue declare, rates from Prometheus
                  {o.broker.statistics.since
                    ? `, history since ${new Date(o.broker.statistics.since).toLocaleTimeString()}`
                    : ''}
                </span>
              ) : null}
            </p>
          ) : null}
          <Freshness source={overview} />
        </div>
      </div>
      {overview.isError ? (
        <ErrorNotice error={overview.error} title="Cannot read the broker" />
      ) : null}
      {overview.isPending ? <Loading /> : null}
      {o ? (
        <div className={isStale(overview) ? 'stale' : undefined} data-testid="overview-data">
          <section className="card" aria-labelledby="incidents-title">
            <div className="card-header">
              <h2 id="incidents-title">What is failing</h2>
              {vhosts.length > 1 || vhost ? (
                <label className="inline-field">
                  <span>Vhost</span>
                  <select
                    aria-label="Vhost of the incident board"
                    value={vhost ?? ''}
                    onChange={(event) =>
                      void navigate({
                        search: event.target.value ? { vhost: event.target.value } : {},
                      })
                    }
                  >
                    <option value="">All vhosts</option>
                    {vhosts.map((v) => (
                      <option key={v} value={v}>
                        {v}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
            </div>
            <IncidentBoard incidents={incidents} now={now} />
          </section>
          <div className="stats">
            <Link to="/queues" search={{ sort: 'messages', order: 'desc' }} className="stat-link">
              <StatCard
                label="Messages"
                value={formatCount(o.totals.messages)}
                hint={`${formatCount(o.totals.ready)} ready · ${formatCount(o.totals.unacked)} unacked`}
                testId="total-messages"
              />
            </Link>
            <Link to="/queues" className="stat-link">
              <StatCard
                label="Queues"
                value={formatCount(o.totals.queues)}
                hint={`${o.queues.work} work · ${o.queues.retry} retry · ${o.queues.deadLetter} DLQ`}
              />
            </Link>
            <Link to="/dead-letters" className="stat-link">
              <StatCard
                label="Dead letters"
                value={formatCount(o.deadLetters)}
                tone={o.deadLetters ? 'danger' : 'default'}
                hint={`in ${o.queues.deadLetter} dead-letter queues`}
                testId="total-dead-letters"
              />
            </Link>
            <Link to="/queues" search={{ sort: 'consumers', order: 'desc' }} className="stat-link">
              <StatCard
                label="Consumers"
                value={formatCount(o.totals.consumers)}
                hint={`${formatCount(o.totals.connections)} connections`}
              />
            </Link>
            <a href="#incidents-title" className="stat-link">
              <StatCard
                label="Active alerts"
                value={formatCount(o.alerts.length)}
                tone={o.alerts.length ? 'warn' : 'default'}
                hint={`on ${formatCount(new Set(o.alerts.map((a) => `${a.vhost}/${a.queue}`)).size)} queues`}
                testId="alert-count"
              />
            </a>
          </div>
          <div className="stats">
            <StatCard label="Publish" value={formatRate(o.rates.publish)} testId="rate-publish" />
            <StatCard label="Deliver" value={formatRate(o.rates.deliver)} testId="rate-deliver" />
            <StatCard label="Ack" value={formatRate(o.rates.ack)} testId="rate-ack" />
            <StatCard
              label="Redeliver"
              value={formatRate(o.rates.redeliver)}
              testId="rate-redeliver"
            />
            <StatCard
              label="Dead-letter"
              value={formatRate(o.rates.deadLetter)}
              tone={o.rates.deadLetter ? 'danger' : 'default'}
              testId="rate-dead-letter"
            />
          </div>
          <div className="charts">
            <LineChart
              title="Throughput"
              format={formatRate}
              testId="throughput-chart"
              series={[
                series('publish', 'Publish', 'var(--chart-1)'),
                series('deliver', 'Deliver', 'var(--chart-2)'),
                series('ack', 'Ack', 'var(--chart-3)'),
              ]}
            />
            <LineChart
              title="Failures"
              format={formatRate}
              testId="failure-chart"
              series={[
                series('redeliver', 'Redeliver', 'var(--chart-3)'),
                series('deadLetter', 'Dead-letter', 'var(--chart-4)'),
              ]}
            />
          </div>
          <section className="card" aria-labelledby="alerts-title">
            <h2 id="alerts-title">Other queues&apos; alerts</h2>
            <AlertList alerts={otherAlerts} />
          </section>
        </div>
      ) : null}
    </section>
  )
}
