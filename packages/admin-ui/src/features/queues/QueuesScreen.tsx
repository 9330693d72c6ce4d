import { Link } from '@tanstack/react-router'
import { useMemo, useState } from 'react'
import { EmptyState, ErrorNotice, Loading } from '../../components/Notice.js'
import { RoleBadge } from '../../components/RoleBadge.js'
import { formatCount, formatRate } from '../../lib/format.js'
import { useQueues } from './api/get-queues.js'
import { QueueTopology } from './QueueTopology.js'
import { matchesSearch, sortQueues } from './sort-queues.js'
import { queueKey, topologyOf } from './topology-of.js'
import type { Sort, SortKey } from './sort-queues.js'

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Queue' },
  { key: 'role', label: 'Role' },
  { key: 'messages', label: 'Messages', numeric: true },
  { key: 'publish', label: 'Publish', numeric: true },
  { key: 'deliver', label: 'Deliver', numeric: true },
  { key: 'consumers', label: 'Consumers', numeric: true },
]

const ROLES = ['work', 'retry', 'dead-letter', 'other'] as const

export function QueuesScreen() {
  const queues = useQueues()
  const [search, setSearch] = useState('')
  const [role, setRole] = useState('')
  const [sort, setSort] = useState<Sort>({ key: 'messages', descending: true })

  const items = useMemo(() => queues.data?.items ?? [], [queues.data])
  const byName = useMemo(() => new Map(items.map((q) => [queueKey(q.vhost, q.name), q])), [items])
  const shown = useMemo(
    () =>
      sortQueues(
        items.filter((q) => (!role || q.role === role) && matchesSearch(q, search)),
        sort,
      ),
    [items, role, search, sort],
  )
  const workQueues = shown.filter((q) => q.role === 'work')

  const toggleSort = (key: SortKey) =>
    setSort((s) =>
      s.key === key
        ? { key, descending: !s.descending }
        : { key, descending: key !== 'name' && key !== 'role' },
    )

  return (
    <section aria-labelledby="queues-title">
      <div className="page-header">
        <div>
          <h1 id="queues-title">Queues</h1>
          <p className="muted">
            {formatCount(shown.length)} of {formatCount(items.length)} queues
            {queues.isFetching ? ' · refreshing…' : ''}
          </p>
        </div>
        <div className="toolbar" role="search">
          <label className="field">
            <span>Search</span>
            <input
              type="search"
              aria-label="Search queues"
              data-testid="queue-search"
              placeholder="name, vhost or linked queue"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              size={30}
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select
              aria-label="Filter by role"
              value={role}
              onChange={(e) => setRole(e.target.value)}
            >
              <option value="">All roles</option>
              {ROLES.map((r) => (
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
        <Loading />
      ) : shown.length === 0 ? (
        <EmptyState>No queue matches.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="queue-table">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th
                    key={c.key}
                    scope="col"
                    className={c.numeric ? 'num' : ''}
                    aria-sort={
                      sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'
                    }
                  >
                    <button type="button" className="sort-button" onClick={() => toggleSort(c.key)}>
                      {c.label}
                      {sort.key === c.key ? (sort.descending ? ' ↓' : ' ↑') : ''}
                    </button>
                  </th>
                ))}
                <th scope="col">Vhost</th>
                <th scope="col">Type</th>
                <th scope="col">Links</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((q) => (
                <tr key={`${q.vhost}/${q.name}`} data-testid="queue-row" data-queue={q.name}>
                  <td>
                    <Link
                      to="/queues/$vhost/$name"
                      params={{ vhost: q.vhost, name: q.name }}
                      className="mono"
                    >
                      {q.name}
                    </Link>
                  </td>
                  <td>
                    <RoleBadge role={q.role} />
                  </td>
                  <td className="num">
                    {formatCount(q.messages)}
                    <div className="muted small">
                      {formatCount(q.ready)} ready · {formatCount(q.unacked)} unacked
                    </div>
                  </td>
                  <td className="num">{formatRate(q.rates.publish)}</td>
                  <td className="num">{formatRate(q.rates.deliver)}</td>
                  <td className="num">{formatCount(q.consumers)}</td>
                  <td className="mono small">{q.vhost}</td>
                  <td>{q.type}</td>
                  <td className="mono small">
                    {q.role === 'retry' && q.retryOf ? `→ ${q.retryOf}` : null}
                    {q.role === 'dead-letter' && q.feeds.length ? `← ${q.feeds.join(', ')}` : null}
                    {q.role === 'work' && q.deadLetterQueue ? `DLQ ${q.deadLetterQueue}` : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

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
