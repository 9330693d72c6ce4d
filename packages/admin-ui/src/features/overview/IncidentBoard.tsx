import { Link } from '@tanstack/react-router'
import { EmptyState } from '../../components/Notice.js'
import { formatCount, formatRate } from '../../lib/format.js'
import { messages } from '../dead-letters/actions.js'
import { ruleText } from '../alerts/rules.js'
import { groupLabel } from '../dead-letters/GroupsPanel.js'
import type { Incident } from './incidents.js'
import { sinceText } from './incidents.js'
import { TableWrap } from '../../components/TableWrap.js'

const SEVERITY_LABEL = { critical: 'Critical', warning: 'Warning', notice: 'Notice' } as const

function TopError({ incident }: { incident: Incident }) {
  const { topError } = incident
  if (topError === undefined) {
    return <span className="muted">Open the queue to group its dead letters</span>
  }
  if (topError === null) return <span className="muted">No error recorded</span>
  return (
    <Link
      to="/dead-letters/$vhost/$queue"
      params={{ vhost: incident.vhost, queue: incident.queue }}
      search={{ group: topError.key }}
      className="error-text"
      data-testid="incident-top-error"
    >
      <span className="clamp-2" title={groupLabel(topError)}>
        {groupLabel(topError)}
      </span>
      <span className="muted"> {messages(topError.count)}</span>
    </Link>
  )
}

/**
 * What is failing, worst first: one row per affected dead-letter queue with its severity, its
 * largest failure group (a link to exactly those messages), inflow, and how long it has lasted.
 */
export function IncidentBoard({ incidents, now }: { incidents: readonly Incident[]; now: number }) {
  if (incidents.length === 0) return <EmptyState>No dead letters: nothing is failing.</EmptyState>
  return (
    <TableWrap label="What is failing">
      <table className="table cards-on-phone" data-testid="incident-board">
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Dead-letter queue</th>
            <th scope="col">Top error</th>
            <th scope="col" className="num">
              Inflow
            </th>
            <th scope="col" className="num">
              Dead letters
            </th>
            <th scope="col">Since</th>
            <th scope="col">Alerts</th>
          </tr>
        </thead>
        <tbody>
          {incidents.map((incident) => (
            <tr
              key={`${incident.vhost}/${incident.queue}`}
              data-testid="incident-row"
              data-queue={incident.queue}
              data-severity={incident.severity}
            >
              <td data-label="Severity">
                <span className={`badge severity-${incident.severity}`}>
                  {SEVERITY_LABEL[incident.severity]}
                </span>
              </td>
              <td data-label="Queue">
                <Link
                  to="/dead-letters/$vhost/$queue"
                  params={{ vhost: incident.vhost, queue: incident.queue }}
                  className="mono"
                >
                  {incident.queue}
                </Link>
                {incident.vhost !== '/' ? <span className="muted"> · {incident.vhost}</span> : null}
              </td>
              <td data-label="Top error">
                <TopError incident={incident} />
              </td>
              <td className="num" data-label="Inflow">
                {formatRate(incident.inRate)}
              </td>
              <td className="num" data-label="Dead letters" data-testid="incident-messages">
                {formatCount(incident.messages)}
              </td>
              <td data-label="Since" data-testid="incident-since" className="nowrap">
                {sinceText(incident.since, now) ?? '–'}
              </td>
              <td data-label="Alerts">
                {incident.alerts.length === 0 ? (
                  <span className="muted">none</span>
                ) : (
                  <ul className="plain-list">
                    {incident.alerts.map((alert) => {
                      const rule = ruleText(alert.rule)
                      return (
                        <li key={alert.rule}>
                          {rule.label} {rule.value(alert.value)}{' '}
                          <span className="muted">(rule: {rule.threshold(alert.threshold)})</span>
                        </li>
                      )
                    })}
                  </ul>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  )
}
