import { Link } from '@tanstack/react-router'
import { EmptyState, ErrorNotice, Loading } from '../../components/Notice.js'
import { formatAge, formatCount } from '../../lib/format.js'
import { useDeadLetterQueues } from './api/get-dead-letter-queues.js'
import { usePageTitle } from '../../lib/page-title.js'
import { Freshness, isStale } from '../../components/Freshness.js'
import { TableWrap } from '../../components/TableWrap.js'

/** Every dead-letter queue, fullest first, with its age and the queues that feed it. */
export function DeadLettersScreen() {
  const dlqs = useDeadLetterQueues()
  usePageTitle('Dead letters')
  const items = [...(dlqs.data?.items ?? [])].sort(
    (a, b) => b.messages - a.messages || a.name.localeCompare(b.name),
  )
  const totalMessages = items.reduce((sum, d) => sum + d.messages, 0)

  return (
    <section aria-labelledby="dead-letters-title">
      <div className="page-header">
        <div>
          <h1 id="dead-letters-title">Dead letters</h1>
          <p className="muted">
            {formatCount(items.length)} dead-letter queues holding {formatCount(totalMessages)}{' '}
            messages. Open one to inspect, requeue, delete or purge.
          </p>
          <Freshness source={dlqs} />
        </div>
      </div>
      {dlqs.isError ? (
        <ErrorNotice error={dlqs.error} title="Cannot list dead-letter queues" />
      ) : null}
      {dlqs.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState>No dead-letter queue found.</EmptyState>
      ) : (
        <TableWrap label="Dead-letter queues" className={isStale(dlqs) ? 'stale' : undefined}>
          <table className="table cards-on-phone" data-testid="dlq-table">
            <thead>
              <tr>
                <th scope="col">Dead-letter queue</th>
                <th scope="col">Vhost</th>
                <th scope="col" className="num">
                  Messages
                </th>
                <th scope="col" className="num">
                  Oldest
                </th>
                <th scope="col">Fed by</th>
              </tr>
            </thead>
            <tbody>
              {items.map((d) => (
                <tr
                  key={`${d.vhost}/${d.name}`}
                  data-testid="dlq-row"
                  data-vhost={d.vhost}
                  data-queue={d.name}
                >
                  <td data-label="Queue">
                    <Link
                      to="/dead-letters/$vhost/$queue"
                      params={{ vhost: d.vhost, queue: d.name }}
                      className="mono"
                    >
                      {d.name}
                    </Link>
                  </td>
                  <td data-label="Vhost" className="mono">
                    {d.vhost}
                  </td>
                  <td data-label="Messages" className="num" data-testid="dlq-messages">
                    {formatCount(d.messages)}
                  </td>
                  <td data-label="Oldest" className="num">
                    {formatAge(d.oldestAgeMs)}
                  </td>
                  <td data-label="Fed by" className="mono">
                    {d.feeds.join(', ') || '–'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}
