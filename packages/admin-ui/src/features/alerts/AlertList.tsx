import { Link } from '@tanstack/react-router'
import { EmptyState } from '../../components/Notice.js'
import { formatAge, formatCount, formatTime } from '../../lib/format.js'
import type { getOverview } from '../overview/api/get-overview.js'

type Alert = Awaited<ReturnType<typeof getOverview>>['alerts'][number]

const RULES: Record<string, { label: string; format: (value: number) => string }> = {
  'dead-letter-ratio': {
    label: 'Dead-letter ratio',
    format: (v) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`,
  },
  backlog: { label: 'Backlog', format: formatCount },
  'dead-letter-growth': { label: 'Dead letters growing', format: (v) => `+${formatCount(v)}` },
  'dead-letter-age': { label: 'Old dead letter', format: formatAge },
  'no-consumers': { label: 'No consumers', format: formatCount },
}

const ruleOf = (rule: string) => RULES[rule] ?? { label: rule, format: formatCount }

/** Active alerts, oldest first: what needs an operator now. */
export function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return <EmptyState>No active alert.</EmptyState>
  return (
    <div className="table-wrap">
      <table className="table" data-testid="alert-table">
        <thead>
          <tr>
            <th scope="col">Alert</th>
            <th scope="col">Queue</th>
            <th scope="col" className="num">
              Value
            </th>
            <th scope="col" className="num">
              Threshold
            </th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((alert) => {
            const rule = ruleOf(alert.rule)
            return (
              <tr key={`${alert.rule}/${alert.vhost}/${alert.queue}`} data-testid="alert-row">
                <td>
                  <span className="badge severity-warning">{rule.label}</span>
                </td>
                <td>
                  <Link
                    to="/queues/$vhost/$name"
                    params={{ vhost: alert.vhost, name: alert.queue }}
                    className="mono"
                  >
                    {alert.queue}
                  </Link>
                  {alert.vhost !== '/' ? <span className="muted"> · {alert.vhost}</span> : null}
                </td>
                <td className="num">{rule.format(alert.value)}</td>
                <td className="num">{rule.format(alert.threshold)}</td>
                <td>{formatTime(alert.since)}</td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </div>
  )
}
