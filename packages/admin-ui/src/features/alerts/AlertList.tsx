import { Link } from '@tanstack/react-router'
import { EmptyState } from '../../components/Notice.js'
import { formatTime } from '../../lib/format.js'
import { alertsByQueue, ruleText } from './rules.js'
import type { Alert } from './rules.js'
import { TableWrap } from '../../components/TableWrap.js'

/**
 * Active alerts of the queues that are not dead-letter queues (those are on the incident
 * board), one row per queue, the one alerted longest first.
 */
export function AlertList({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return <EmptyState>No active alert.</EmptyState>
  return (
    <TableWrap label="Other queues' alerts">
      <table className="table cards-on-phone" data-testid="alert-table">
        <thead>
          <tr>
            <th scope="col">Queue</th>
            <th scope="col">Alerts</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {alertsByQueue(alerts).map((entry) => (
            <tr key={`${entry.vhost}/${entry.queue}`} data-testid="alert-row">
              <td data-label="Queue">
                <Link
                  to="/queues/$vhost/$name"
                  params={{ vhost: entry.vhost, name: entry.queue }}
                  className="mono"
                >
                  {entry.queue}
                </Link>
                {entry.vhost !== '/' ? <span className="muted"> · {entry.vhost}</span> : null}
              </td>
              <td data-label="Alerts">
                <ul className="plain-list">
                  {entry.alerts.map((alert) => {
                    const rule = ruleText(alert.rule)
                    return (
                      <li key={alert.rule} data-testid="alert-rule">
                        <strong>{rule.label}</strong> {rule.value(alert.value)}{' '}
                        <span className="muted">(rule: {rule.threshold(alert.threshold)})</span>
                      </li>
                    )
                  })}
                </ul>
              </td>
              <td data-label="Since">{formatTime(entry.since)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}
