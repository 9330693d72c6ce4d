import { useMemo, useState } from 'react'
import { EmptyState, ErrorNotice, Loading } from '../../components/Notice.js'
import { Pager } from '../../components/Pager.js'
import { formatTime } from '../../lib/format.js'
import { useCanOperate } from '../auth/role.js'
import { useDeadLetterQueues } from '../dead-letters/api/get-dead-letter-queues.js'
import { MessageDrawer } from '../dead-letters/MessageDrawer.js'
import { useArchive } from './api/get-archive.js'
import { RestoreDialog } from './RestoreDialog.js'
import { usePageTitle } from '../../lib/page-title.js'
import { TableWrap } from '../../components/TableWrap.js'

const PAGE = 100

/** Deleted and purged dead letters, kept for a while in a stream; restorable one by one. */
export function ArchiveScreen() {
  const canOperate = useCanOperate()
  const dlqs = useDeadLetterQueues()
  const [vhost, setVhost] = useState('/')
  const [queue, setQueue] = useState('')
  const [offset, setOffset] = useState(0)
  const [selected, setSelected] = useState<Set<string>>(() => new Set())
  const [openId, setOpenId] = useState<string | null>(null)
  const [restoring, setRestoring] = useState<string[] | null>(null)

  const archive = useArchive({ vhost, queue, limit: PAGE, offset })
  usePageTitle('Archive')
  const items = useMemo(() => archive.data?.items ?? [], [archive.data])
  const vhosts = useMemo(
    () => [...new Set(['/', ...(dlqs.data?.items ?? []).map((d) => d.vhost)])].sort(),
    [dlqs.data],
  )
  const queues = (dlqs.data?.items ?? []).filter((d) => d.vhost === vhost).map((d) => d.name)
  const restorable = items.filter((a) => a.restoredAt === null)
  const selectedIds = restorable.filter((a) => selected.has(a.id)).map((a) => a.id)
  const open = items.find((a) => a.id === openId) ?? null

  const toggle = (id: string, on: boolean) =>
    setSelected((current) => {
      const next = new Set(current)
      if (on) next.add(id)
      else next.delete(id)
      return next
    })

  return (
    <section aria-labelledby="archive-title">
      <div className="page-header">
        <div>
          <h1 id="archive-title">Archive</h1>
          <p className="muted">
            Deleted and purged dead letters, newest first. Restore puts them back into their
            dead-letter queue.
          </p>
        </div>
        <div className="toolbar">
          <label className="field">
            <span>Vhost</span>
            <select
              aria-label="Vhost"
              data-testid="archive-vhost"
              value={vhost}
              onChange={(e) => {
                setVhost(e.target.value)
                setQueue('')
                setOffset(0)
              }}
            >
              {vhosts.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Dead-letter queue</span>
            <select
              aria-label="Dead-letter queue"
              data-testid="archive-queue"
              value={queue}
              onChange={(e) => {
                setQueue(e.target.value)
                setOffset(0)
              }}
            >
              <option value="">All</option>
              {queues.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>

      <div className="bulkbar">
        {canOperate ? (
          <button
            type="button"
            className="button primary"
            data-testid="restore-selected"
            disabled={selectedIds.length === 0}
            onClick={() => setRestoring(selectedIds)}
          >
            Restore selected ({selectedIds.length})
          </button>
        ) : null}
        <span style={{ flex: 1 }} />
        <Pager
          label="Archive"
          offset={offset}
          limit={PAGE}
          total={archive.data?.total ?? 0}
          onOffsetChange={setOffset}
        />
      </div>

      {archive.isError ? (
        <ErrorNotice error={archive.error} title="Cannot read the archive" />
      ) : null}
      {archive.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState>Nothing archived in this vhost.</EmptyState>
      ) : (
        <TableWrap label="Archived messages">
          <table className="table cards-on-phone" data-testid="archive-table">
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all restorable messages on this page"
                    checked={restorable.length > 0 && restorable.every((a) => selected.has(a.id))}
                    onChange={(e) => {
                      for (const a of restorable) toggle(a.id, e.target.checked)
                    }}
                  />
                </th>
                <th scope="col">Message</th>
                <th scope="col">From</th>
                <th scope="col">Error</th>
                <th scope="col">Archived</th>
                <th scope="col">By</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => {
                const label = a.message.messageId ?? a.message.id
                return (
                  <tr key={a.id} data-testid="archive-row" data-message-id={a.message.id}>
                    <td data-label="Select">
                      <input
                        type="checkbox"
                        aria-label={`Select archived message ${label}`}
                        disabled={a.restoredAt !== null}
                        checked={selected.has(a.id) && a.restoredAt === null}
                        onChange={(e) => toggle(a.id, e.target.checked)}
                      />
                    </td>
                    <td data-label="Message">
                      <button
                        type="button"
                        className="open-button mono"
                        onClick={() => setOpenId(a.id)}
                        aria-label={`Open archived message ${label}`}
                      >
                        {label}
                      </button>
                    </td>
                    <td data-label="From" className="mono">
                      {a.archivedFrom}
                    </td>
                    <td data-label="Error" className="small">
                      {a.message.error
                        ? [a.message.error.name, a.message.error.message].filter(Boolean).join(': ')
                        : '–'}
                    </td>
                    <td data-label="Archived">{formatTime(a.archivedAt)}</td>
                    <td data-label="By">{a.archivedBy ?? '–'}</td>
                    <td data-label="Status" data-testid="archive-status">
                      {a.restoredAt !== null ? (
                        <span className="badge outcome-success">
                          restored {formatTime(a.restoredAt)}
                        </span>
                      ) : (
                        <span className="badge">archived</span>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </TableWrap>
      )}

      <MessageDrawer message={open?.message ?? null} onClose={() => setOpenId(null)} />
      {restoring ? (
        <RestoreDialog
          ids={restoring}
          onClose={() => setRestoring(null)}
          onDone={() => setSelected(new Set())}
        />
      ) : null}
    </section>
  )
}
