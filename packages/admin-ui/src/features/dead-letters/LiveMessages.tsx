// The dead-letter queue read live in RabbitMQ (not in Warren's store): up to a chosen number of
// messages are loaded, then filtered and grouped in the browser.
// Over 300 lines: it is the screen the live reading had before the store, moved whole so its
// behaviour (and its e2e story) stays exactly as it was; the store's screen is split by part.
import { useDeferredValue, useEffect, useMemo, useState } from 'react'
import { ErrorNotice, Loading } from '../../components/Notice.js'
import { StatCard } from '../../components/StatCard.js'
import { formatAge, formatCount } from '../../lib/format.js'
import type { PendingAction } from './actions.js'
import { useGroups } from './api/get-groups.js'
import { PhoneToggle } from '../../components/PhoneToggle.js'
import { useMessages } from './api/get-messages.js'
import { distinct, filterMessages, neighbours, NO_FILTERS, toRows } from './filter-messages.js'
import type { MessageFilters } from './filter-messages.js'
import { GroupsPanel } from './GroupsPanel.js'
import { MessageDrawer } from './MessageDrawer.js'
import { MessageTable } from './MessageTable.js'
import { OperationDialog } from './OperationDialog.js'
import { ReadingNote } from './ReadingNote.js'
import type { DeadLetterMessage, DeadLetterQueue } from './types.js'

const LOAD_CHOICES = [500, 2000, 5000, 10000]
/** How far a live search and grouping read (the admin API's MAX_SEARCH_SCAN). */
const MAX_SEARCH_SCAN = 10_000

export interface LiveMessagesProps {
  vhost: string
  queue: string
  canOperate: boolean
  summary: DeadLetterQueue | undefined
  /** The answer said the queue is in the store after all (custody began meanwhile). */
  onStored: () => void
}

export function LiveMessages({ vhost, queue, canOperate, summary, onStored }: LiveMessagesProps) {
  const [limit, setLimit] = useState(2000)
  const [searchDraft, setSearchDraft] = useState('')
  const [search, setSearch] = useState('')
  const [filters, setFilters] = useState<MessageFilters>(NO_FILTERS)
  const [grouped, setGrouped] = useState(false)
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set())
  const [selected, setSelected] = useState<Set<string>>(() => new Set())
  const [openId, setOpenId] = useState<string | null>(null)
  const [action, setAction] = useState<PendingAction | null>(null)

  const messagesQuery = useMessages(vhost, queue, { limit, offset: 0, filter: { search } })
  const groups = useGroups(vhost, queue, {})
  const stored = messagesQuery.data?.reading.mode === 'store'
  useEffect(() => {
    if (stored) onStored()
  }, [stored, onStored])
  const all = useMemo(() => messagesQuery.data?.items ?? [], [messagesQuery.data])
  const deferredFilters = useDeferredValue(filters)
  const shown = useMemo(() => filterMessages(all, deferredFilters), [all, deferredFilters])
  const rows = useMemo(() => toRows(shown, grouped, expanded), [shown, grouped, expanded])
  const shownIds = useMemo(() => shown.map((m) => m.id), [shown])
  const present = useMemo(() => new Set(all.map((m) => m.id)), [all])
  // Selection survives refreshes, but only messages still in the queue count.
  const selectedIds = [...selected].filter((id) => present.has(id))
  const openMessage: DeadLetterMessage | null = openId
    ? (all.find((m) => m.id === openId) ?? null)
    : null

  const reasons = useMemo(() => distinct(all, (m) => m.reason), [all])
  const originals = useMemo(() => distinct(all, (m) => m.originalQueue), [all])
  const total = messagesQuery.data?.total ?? summary?.messages ?? 0
  // Quorum queues don't report their head's age: fall back to the oldest message loaded.
  const oldestLoaded = Math.min(...all.map((m) => Date.parse(m.deadLetteredAt ?? '') || Infinity))
  const oldestAgeMs =
    summary?.oldestAgeMs ??
    (Number.isFinite(oldestLoaded) ? messagesQuery.dataUpdatedAt - oldestLoaded : null)
  const startFromDrawer = (next: PendingAction) => {
    setOpenId(null)
    setAction(next)
  }
  const setFilter = (key: keyof MessageFilters) => (value: string) =>
    setFilters((f) => ({ ...f, [key]: value }))

  return (
    <>
      <div className="stats">
        <StatCard
          label="Messages"
          value={formatCount(total)}
          tone={total ? 'danger' : 'default'}
          testId="dlq-count"
        />
        <StatCard label="Oldest" value={formatAge(oldestAgeMs)} />
        <StatCard
          label="Fed by"
          value={<span className="mono small">{summary?.feeds.join(', ') || '–'}</span>}
        />
        <StatCard
          label="Loaded"
          value={formatCount(all.length)}
          hint={messagesQuery.isFetching ? 'refreshing…' : `of ${formatCount(total)}`}
        />
      </div>

      <ReadingNote reading={messagesQuery.data?.reading} />
      <p className="notice" data-testid="live-note">
        Read live in RabbitMQ: search and groups cover the first {formatCount(MAX_SEARCH_SCAN)}{' '}
        messages, the table holds what is loaded below, and bulk actions go message by message.
        Queues in Warren&apos;s store are searched, filtered and grouped whole.
      </p>
      <GroupsPanel
        vhost={vhost}
        queue={queue}
        groups={groups.data}
        active={undefined}
        // A live reading filters in the browser: a group narrows the table to its error text.
        onSelect={(group) =>
          setFilters((f) => ({ ...f, errorText: group?.errorMessage ?? group?.errorName ?? '' }))
        }
      />

      <form
        className="toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault()
          setSearch(searchDraft.trim())
        }}
      >
        <label className="field">
          <span>Search the queue</span>
          <input
            type="search"
            aria-label="Search messages"
            placeholder="id, header, error or payload text"
            value={searchDraft}
            onChange={(event) => setSearchDraft(event.target.value)}
            size={36}
          />
        </label>
        <button type="submit" className="button">
          Search
        </button>
        <label className="field">
          <span>Load up to</span>
          <select
            aria-label="Messages to load"
            value={limit}
            onChange={(event) => setLimit(Number(event.target.value))}
          >
            {LOAD_CHOICES.map((n) => (
              <option key={n} value={n}>
                {formatCount(n)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" onClick={() => void messagesQuery.refetch()}>
          Refresh
        </button>
      </form>

      <PhoneToggle label="Filters">
        <div className="filters" role="group" aria-label="Filters">
          <label className="field">
            <span>Reason</span>
            <select
              aria-label="Filter by reason"
              data-testid="filter-reason"
              value={filters.reason}
              onChange={(e) => setFilter('reason')(e.target.value)}
            >
              <option value="">All reasons</option>
              {reasons.map((r) => (
                <option key={r}>{r}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Error text</span>
            <input
              type="text"
              aria-label="Filter by error text"
              data-testid="filter-error"
              value={filters.errorText}
              onChange={(e) => setFilter('errorText')(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Routing key</span>
            <input
              type="text"
              aria-label="Filter by routing key"
              data-testid="filter-routing-key"
              value={filters.routingKey}
              onChange={(e) => setFilter('routingKey')(e.target.value)}
            />
          </label>
          <label className="field">
            <span>Original queue</span>
            <select
              aria-label="Filter by original queue"
              data-testid="filter-original-queue"
              value={filters.originalQueue}
              onChange={(e) => setFilter('originalQueue')(e.target.value)}
            >
              <option value="">All queues</option>
              {originals.map((q) => (
                <option key={q}>{q}</option>
              ))}
            </select>
          </label>
        </div>
      </PhoneToggle>

      <div className="bulkbar">
        <label className="inline-field">
          <input
            type="checkbox"
            checked={grouped}
            onChange={(e) => setGrouped(e.target.checked)}
            data-testid="group-by-error"
          />
          Group by error
        </label>
        <span className="muted" aria-live="polite" data-testid="selection-count">
          {selectedIds.length} selected · {formatCount(shown.length)} shown
        </span>
        <span className="spacer" style={{ flex: 1 }} />
        {canOperate ? (
          <>
            <button
              type="button"
              className="button primary"
              data-testid="requeue-selected"
              disabled={selectedIds.length === 0}
              onClick={() => setAction({ kind: 'requeue', ids: selectedIds })}
            >
              Requeue selected
            </button>
            <button
              type="button"
              className="button danger-outline"
              data-testid="delete-selected"
              disabled={selectedIds.length === 0}
              onClick={() => setAction({ kind: 'delete', ids: selectedIds })}
            >
              Delete selected
            </button>
          </>
        ) : null}
        {selected.size ? (
          <button type="button" className="button ghost" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        ) : null}
      </div>

      {messagesQuery.isError ? (
        <ErrorNotice error={messagesQuery.error} title="Cannot browse the queue" />
      ) : null}
      {messagesQuery.isPending ? (
        <Loading label="Reading messages…" />
      ) : (
        <MessageTable
          rows={rows}
          visibleIds={shownIds}
          selected={selected}
          onSelectionChange={setSelected}
          onOpen={(m) => setOpenId(m.id)}
          onToggleGroup={(key) =>
            setExpanded((current) => {
              const next = new Set(current)
              if (next.has(key)) next.delete(key)
              else next.add(key)
              return next
            })
          }
        />
      )}
      {!messagesQuery.isPending && shown.length === 0 ? (
        <p className="empty" data-testid="no-messages">
          {all.length ? 'No message matches the filters.' : 'This dead-letter queue is empty.'}
        </p>
      ) : null}

      <MessageDrawer
        message={openMessage}
        onClose={() => setOpenId(null)}
        onRequeue={
          canOperate ? (m) => startFromDrawer({ kind: 'requeue', ids: [m.id] }) : undefined
        }
        onDelete={canOperate ? (m) => startFromDrawer({ kind: 'delete', ids: [m.id] }) : undefined}
        {...neighbours(shown, openId, setOpenId)}
      />

      {action && action.kind !== 'purge' ? (
        <OperationDialog
          vhost={vhost}
          queue={queue}
          action={action}
          onClose={() => setAction(null)}
          onDone={(ids) =>
            setSelected((current) => {
              const next = new Set(current)
              for (const id of ids) next.delete(id)
              return next
            })
          }
        />
      ) : null}
    </>
  )
}
