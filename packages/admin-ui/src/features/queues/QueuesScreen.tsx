import { Link, useNavigate, useSearch } from '@tanstack/react-router'
import type { QueueSortKey } from '@warren/admin-api/queues-query'
import { QUEUE_ROLES } from './queue-list-query.js'
import { useEffect, useState } from 'react'
import { EmptyState, ErrorNotice, Loading } from '../../components/Notice.js'
import { RoleBadge } from '../../components/RoleBadge.js'
import { formatCount, formatRate } from '../../lib/format.js'
import { useQueues } from './api/get-queues.js'
import { listQueryOf, parseListSearch, sortedBy, type QueueListSearch } from './list-search.js'
import { QueueTopology } from './QueueTopology.js'
import { QueuePager } from './QueuePager.js'
import { countsByName, topologyOf } from './topology-of.js'
import { usePageTitle } from '../../lib/page-title.js'
import { Freshness, isStale } from '../../components/Freshness.js'
import { TableWrap } from '../../components/TableWrap.js'

const COLUMNS: { key: QueueSortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Queue' },
  { key: 'role', label: 'Role' },
  { key: 'messages', label: 'Messages', numeric: true },
  { key: 'publishRate', label: 'Publish', numeric: true },
  { key: 'deliverRate', label: 'Deliver', numeric: true },
  { key: 'consumers', label: 'Consumers', numeric: true },
  { key: 'vhost', label: 'Vhost' },
]

/** How long typing pauses before the search goes to the server. */
const SEARCH_DELAY_MS = 300

/** One page of queues as the server filters, sorts and pages them; the view lives in the URL. */
export function QueuesScreen() {
  const search = useSearch({ from: '/queues' })
  const navigate = useNavigate({ from: '/queues' })
  const query = listQueryOf(search)
  const queues = useQueues(query)
  usePageTitle('Queues')
  // A field set to undefined goes back to the server's default.
  const update = (patch: { [K in keyof QueueListSearch]?: QueueListSearch[K] | undefined }) =>
    void navigate({ search: (prev) => parseListSearch({ ...prev, ...patch }) })

  // The box answers every key at once; the URL (and the server) follow when typing pauses.
  const [text, setText] = useState(query.search ?? '')
  // A link or Back changed the search: the box shows it (what was typed is already in the URL).
  const [shown, setShown] = useState(query.search)
  if (shown !== query.search) {
    setShown(query.search)
    if (text.trim() !== (query.search ?? '')) setText(query.search ?? '')
  }
  useEffect(() => {
    if (text.trim() === (query.search ?? '')) return
    const timer = setTimeout(
      () =>
        void navigate({
          search: (prev) => parseListSearch({ ...prev, search: text, page: 1 }),
          replace: true,
        }),
      SEARCH_DELAY_MS,
    )
    return () => clearTimeout(timer)
  }, [text, query.search, navigate])

  const items = queues.data?.items ?? []
  const total = queues.data?.total ?? 0
  const byName = countsByName(items, queues.data?.related ?? [])
  const workQueues = items.filter((q) => q.role === 'work')

  return (
    <section aria-labelledby="queues-title">
      <div className="page-header">
        <div>
          <h1 id="queues-title">Queues</h1>
          <p className="muted" data-testid="queue-total">
            {formatCount(total)} {total === 1 ? 'queue' : 'queues'}
            {queues.isFetching ? ' · refreshing…' : ''}
          </p>
          <Freshness source={queues} />
        </div>
        <div className="toolbar" role="search">
          {query.vhost !== undefined ? (
            <button
              type="button"
              className="button small"
              data-testid="vhost-filter"
              aria-label={`Vhost ${query.vhost}: show every vhost`}
              onClick={() => update({ vhost: undefined, page: 1 })}
            >
              vhost <span className="mono">{query.vhost}</span> ✕
            </button>
          ) : null}
          <label className="field">
            <span>Search</span>
            <input
              type="search"
              aria-label="Search queues"
              data-testid="queue-search"
              placeholder="vhost or name"
              value={text}
              onChange={(e) => setText(e.target.value)}
              size={30}
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select
              aria-label="Filter by role"
              value={query.role ?? ''}
              onChange={(e) => update({ role: e.target.value as QueueListSearch['role'], page: 1 })}
            >
              <option value="">All roles</option>
              {QUEUE_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>

      {queues.isError ? <ErrorNotice error={queues.error} title="Cannot list queues" /> : null}
      {queues.isPending ? (
        <Loading label="Loading queues…" />
      ) : items.length === 0 ? (
        <EmptyState>{total === 0 ? 'No queue matches.' : 'No queues on this page.'}</EmptyState>
      ) : (
        <TableWrap label="Queues" className={isStale(queues) ? 'stale' : undefined}>
          <table
            className="table cards-on-phone"
            data-testid="queue-table"
            aria-busy={queues.isFetching}
          >
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const active = query.sort === c.key
                  const descending = query.order === 'desc'
                  return (
                    <th
                      key={c.key}
                      scope="col"
                      className={c.numeric ? 'num' : ''}
                      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
                    >
                      <button
                        type="button"
                        className="sort-button"
                        onClick={() => update(sortedBy(query, c.key))}
                      >
                        {c.label}
                        {active ? (descending ? ' ↓' : ' ↑') : ''}
                      </button>
                    </th>
                  )
                })}
                <th scope="col">Type</th>
                <th scope="col">Links</th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <tr key={`${q.vhost}/${q.name}`} data-testid="queue-row" data-queue={q.name}>
                  <td data-label="Queue">
                    <Link
                      to="/queues/$vhost/$name"
                      params={{ vhost: q.vhost, name: q.name }}
                      className="mono"
                    >
                      {q.name}
                    </Link>
                  </td>
                  <td data-label="Role">
                    <RoleBadge role={q.role} />
                  </td>
                  <td data-label="Messages" className="num">
                    {formatCount(q.messages)}
                    <div className="muted small">
                      {formatCount(q.ready)} ready · {formatCount(q.unacked)} unacked
                    </div>
                  </td>
                  <td data-label="Publish" className="num">
                    {formatRate(q.rates.publish)}
                  </td>
                  <td data-label="Deliver" className="num">
                    {formatRate(q.rates.deliver)}
                  </td>
                  <td data-label="Consumers" className="num">
                    {formatCount(q.consumers)}
                  </td>
                  <td data-label="Vhost" className="mono small">
                    <Link
                      to="/queues"
                      search={(prev) => parseListSearch({ ...prev, vhost: q.vhost, page: 1 })}
                      title={`Only the queues of vhost ${q.vhost}`}
                    >
                      {q.vhost}
                    </Link>
                  </td>
                  <td data-label="Type">{q.type}</td>
                  <td data-label="Links" className="mono small">
                    {q.role === 'retry' && q.retryOf ? `→ ${q.retryOf}` : null}
                    {q.role === 'dead-letter' && q.feeds.length ? `← ${q.feeds.join(', ')}` : null}
                    {q.role === 'work' && q.deadLetterQueue ? `DLQ ${q.deadLetterQueue}` : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {queues.data ? (
        <QueuePager
          page={query.page}
          pageSize={query.pageSize}
          total={total}
          onChange={(patch) => update(patch)}
        />
      ) : null}

      {workQueues.length ? (
        <section aria-labelledby="topology-title" className="card" style={{ marginTop: '1rem' }}>
          <h2 id="topology-title">Topology</h2>
          <div className="grid">
            {workQueues.map((q) => (
              <QueueTopology key={`${q.vhost}/${q.name}`} {...topologyOf(q, byName)} />
            ))}
          </div>
        </section>
      ) : null}
    </section>
  )
}
