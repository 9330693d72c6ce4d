import { useMemo, useState } from 'react'
import type { GroupView } from '@warren/admin-api'
import { ErrorNotice, Loading } from '../../components/Notice.js'
import { formatCount } from '../../lib/format.js'
import { useGroups } from './api/get-groups.js'
import { useMessages } from './api/get-messages.js'
import { useNotes } from './api/notes.js'
import type { BulkAction } from './api/start-operation.js'
import { BulkDialog } from './BulkDialog.js'
import type { BulkRequest } from './BulkDialog.js'
import { EditRetry } from './EditRetry.js'
import { errorKey, neighbours, toRows } from './filter-messages.js'
import { GroupsPanel, groupLabel } from './GroupsPanel.js'
import { MessageDrawer } from './MessageDrawer.js'
import { MessageTable } from './MessageTable.js'
import { Notes } from './Notes.js'
import { OperationsPanel } from './OperationsPanel.js'
import { StoreFilters } from './StoreFilters.js'
import { compactFilter, exportHref, isFiltered } from './store-filter.js'
import type { Selection, StoreFilter } from './store-filter.js'
import { StorePager } from './StorePager.js'
import type { DeadLetterMessage } from './types.js'

export interface StoredMessagesProps {
  vhost: string
  queue: string
  canOperate: boolean
  /** The queues that feed this one, as suggestions for the original-queue filter. */
  feeds: readonly string[]
  /** The failure group to open on (a link's `?group=`). */
  initialGroup?: string | undefined
}

const VERB: Record<BulkAction, string> = { requeue: 'Requeue', move: 'Move', delete: 'Delete' }

/** Counts of the messages in `pick`, by how they failed, largest first. */
function reasonsOf(messages: readonly DeadLetterMessage[], pick: ReadonlySet<string>) {
  const counts = new Map<string, number>()
  for (const m of messages) {
    if (pick.has(m.id)) counts.set(errorKey(m), (counts.get(errorKey(m)) ?? 0) + 1)
  }
  return [...counts].map(([label, count]) => ({ label, count })).sort((a, b) => b.count - a.count)
}

/**
 * A dead-letter queue in Warren's store: the server pages, searches, filters and groups it, so
 * a million dead letters cost the browser one page; bulk actions run paced on the server.
 */
export function StoredMessages({
  vhost,
  queue,
  canOperate,
  feeds,
  initialGroup,
}: StoredMessagesProps) {
  const [filter, setFilter] = useState<StoreFilter>(() =>
    initialGroup ? { group: initialGroup } : {},
  )
  const [offset, setOffset] = useState(0)
  const [limit, setLimit] = useState(100)
  const [selected, setSelected] = useState<Set<string>>(() => new Set())
  const [openId, setOpenId] = useState<string | null>(null)
  const [bulk, setBulk] = useState<BulkRequest | null>(null)
  const [retried, setRetried] = useState<string | null>(null)

  const messagesQuery = useMessages(vhost, queue, { limit, offset, filter })
  const { group: activeGroup, ...groupFilter } = compactFilter(filter)
  const groups = useGroups(vhost, queue, groupFilter)
  const notes = useNotes(vhost, queue)
  const items = useMemo(() => messagesQuery.data?.items ?? [], [messagesQuery.data])
  const rows = useMemo(() => toRows(items, false), [items])
  const total = messagesQuery.data?.total ?? 0
  const reading = messagesQuery.data?.reading
  const noteItems = notes.data?.items ?? []
  const openMessage = openId ? (items.find((m) => m.id === openId) ?? null) : null
  const groupItems = groups.data?.items ?? []
  const errorNames = [...new Set(groupItems.flatMap((g) => (g.errorName ? [g.errorName] : [])))]
  const originals = [...new Set([...feeds, ...groupItems.flatMap((g) => g.originalQueues)])]

  const activeView = groupItems.find((g) => g.key === activeGroup)
  const activeLabel = activeView ? groupLabel(activeView) : activeGroup
  const applyFilter = (next: StoreFilter) => {
    setFilter(compactFilter(next))
    setOffset(0)
  }
  const selectedIds = [...selected]
  const scope: Selection = selectedIds.length ? { ids: selectedIds } : { filter }
  const scopeLabel = selectedIds.length
    ? `${formatCount(selectedIds.length)} selected`
    : isFiltered(filter)
      ? `all ${formatCount(total)} matching`
      : `all ${formatCount(total)}`
  const startBulk = (action: BulkAction) =>
    setBulk({
      action,
      selection: scope,
      scope: selectedIds.length
        ? `${selectedIds.length} selected messages`
        : 'the matching messages',
      reasons: selectedIds.length
        ? reasonsOf(items, selected)
        : groupItems
            .filter((g) => !activeGroup || g.key === activeGroup)
            .map((g) => ({ label: groupLabel(g), count: g.count })),
    })
  const groupBulk = (action: BulkAction, group: GroupView) =>
    setBulk({
      action,
      selection: { filter: { ...groupFilter, group: group.key } },
      scope: `the group ${groupLabel(group)}`,
      reasons: [{ label: groupLabel(group), count: group.count }],
    })

  const pickOne = (action: BulkAction, id: string) => {
    const message = items.find((m) => m.id === id)
    setOpenId(null)
    setBulk({
      action,
      selection: { ids: [id] },
      scope: `message ${message?.messageId ?? id}`,
      reasons: message ? [{ label: errorKey(message), count: 1 }] : [],
    })
  }
  return (
    <>
      <p className="notice ok" data-testid="store-counts">
        {formatCount(reading?.held ?? null)} dead letters in Warren&apos;s store ·{' '}
        {formatCount(reading?.inBroker ?? null)} still in RabbitMQ (being drained into the store)
        {(reading?.searchBacklog ?? 0) > 0 &&
          ` · the newest ${formatCount(reading?.searchBacklog ?? null)} being indexed for search (searched meanwhile, a little slower)`}
      </p>
      <OperationsPanel vhost={vhost} queue={queue} />
      <GroupsPanel
        vhost={vhost}
        queue={queue}
        groups={groups.data}
        active={activeGroup}
        onSelect={(group) => applyFilter({ ...filter, group: group?.key ?? '' })}
        store={{
          canOperate,
          notes: noteItems,
          onBulk: groupBulk,
          exportHref: (group) =>
            exportHref(vhost, queue, { filter: { ...groupFilter, group: group.key } }),
        }}
      />
      {groups.isError ? <ErrorNotice error={groups.error} title="Cannot group the queue" /> : null}
      <StoreFilters
        filter={filter}
        onApply={applyFilter}
        errorNames={errorNames}
        originalQueues={originals}
      />
      {activeGroup ? (
        <p className="bulkbar" data-testid="group-filter">
          Showing one failure group: <strong className="error-text">{activeLabel}</strong>
          <button
            type="button"
            className="button small ghost"
            onClick={() => applyFilter({ ...filter, group: '' })}
          >
            Show every group
          </button>
        </p>
      ) : null}
      <div className="bulkbar" role="toolbar" aria-label="Bulk actions">
        <span className="muted" aria-live="polite" data-testid="selection-count">
          {selectedIds.length} selected · {formatCount(total)} matching
        </span>
        <span className="spacer" style={{ flex: 1 }} />
        {canOperate
          ? (['requeue', 'move', 'delete'] as const).map((action) => (
              <button
                key={action}
                type="button"
                className={`button ${action === 'delete' ? 'danger-outline' : action === 'requeue' ? 'primary' : ''}`}
                disabled={total === 0 && selectedIds.length === 0}
                data-testid={`bulk-${action}`}
                onClick={() => startBulk(action)}
              >
                {VERB[action]} {scopeLabel}…
              </button>
            ))
          : null}
        <a className="button" href={exportHref(vhost, queue, scope)} download data-testid="export">
          Export {scopeLabel}
        </a>
        {selected.size ? (
          <button type="button" className="button ghost" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        ) : null}
      </div>
      {retried ? (
        <p role="status" className="notice ok" data-testid="retry-result">
          {retried}
        </p>
      ) : null}
      {messagesQuery.isError ? (
        <ErrorNotice error={messagesQuery.error} title="Cannot browse the queue" />
      ) : null}
      {messagesQuery.isPending ? (
        <Loading label="Reading messages…" />
      ) : (
        <MessageTable
          rows={rows}
          visibleIds={items.map((m) => m.id)}
          selected={selected}
          onSelectionChange={setSelected}
          onOpen={(m) => setOpenId(m.id)}
          onToggleGroup={() => {}}
        />
      )}
      {!messagesQuery.isPending && items.length === 0 ? (
        <p className="empty" data-testid="no-messages">
          {isFiltered(filter)
            ? 'No message matches the filters.'
            : 'This dead-letter queue is empty.'}
        </p>
      ) : null}
      <StorePager
        offset={offset}
        limit={limit}
        total={total}
        onOffsetChange={setOffset}
        onLimitChange={(next) => {
          setLimit(next)
          setOffset(0)
        }}
      />

      <MessageDrawer
        message={openMessage}
        onClose={() => setOpenId(null)}
        onRequeue={canOperate ? (m) => pickOne('requeue', m.id) : undefined}
        onDelete={canOperate ? (m) => pickOne('delete', m.id) : undefined}
        {...neighbours(items, openId, setOpenId)}
      >
        {openMessage && canOperate ? (
          <EditRetry
            key={openMessage.id}
            vhost={vhost}
            queue={queue}
            message={openMessage}
            onRetried={(target) => {
              setOpenId(null)
              setSelected((s) => new Set([...s].filter((id) => id !== openMessage.id)))
              setRetried(
                `Edited copy of ${openMessage.messageId ?? openMessage.id} sent to ${target}; the original is archived.`,
              )
            }}
          />
        ) : null}
        {openMessage ? (
          <section className="drawer-section">
            <h3>Notes</h3>
            <Notes
              vhost={vhost}
              queue={queue}
              target={{ id: openMessage.id }}
              notes={noteItems}
              canAdd={canOperate}
              label="this message"
            />
          </section>
        ) : null}
      </MessageDrawer>

      {bulk ? (
        <BulkDialog
          vhost={vhost}
          queue={queue}
          request={bulk}
          onClose={() => setBulk(null)}
          onStarted={() => {
            setBulk(null)
            setSelected(new Set())
          }}
        />
      ) : null}
    </>
  )
}
