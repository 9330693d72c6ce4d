import { useState } from 'react'
import { EmptyState, ErrorNotice, Loading } from '../../components/Notice.js'
import { Pager } from '../../components/Pager.js'
import { formatTime } from '../../lib/format.js'
import { useAudit } from './api/get-audit.js'
import { usePageTitle } from '../../lib/page-title.js'
import { TableWrap } from '../../components/TableWrap.js'

const PAGE = 100

/** Decodes `/%2F/orders.dlq` targets into `orders.dlq (vhost /)`. */
function describeTarget(target: string): string {
  const match = /^\/([^/]+)\/(.+)$/.exec(target)
  if (!match?.[1] || !match[2]) return target
  try {
    const vhost = decodeURIComponent(match[1])
    const queue = decodeURIComponent(match[2])
    return vhost === '/' ? queue : `${queue} (vhost ${vhost})`
  } catch {
    return target
  }
}

export function AuditScreen() {
  const [offset, setOffset] = useState(0)
  const audit = useAudit({ limit: PAGE, offset })
  usePageTitle('Audit log')
  const items = audit.data?.items ?? []

  return (
    <section aria-labelledby="audit-title">
      <div className="page-header">
        <div>
          <h1 id="audit-title">Audit log</h1>
          <p className="muted">Who did what to which messages, newest first.</p>
        </div>
        <Pager
          label="Audit log"
          offset={offset}
          limit={PAGE}
          total={audit.data?.total ?? 0}
          onOffsetChange={setOffset}
        />
      </div>
      {audit.isError ? <ErrorNotice error={audit.error} title="Cannot read the audit log" /> : null}
      {audit.isPending ? (
        <Loading />
      ) : items.length === 0 ? (
        <EmptyState>Nothing recorded yet.</EmptyState>
      ) : (
        <TableWrap label="Audit log">
          <table className="table cards-on-phone" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Figures</th>
                <th scope="col">Outcome</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id} data-testid="audit-row" data-action={entry.action}>
                  <td data-label="When">{formatTime(entry.at)}</td>
                  <td data-label="Who">
                    {entry.actor.name}{' '}
                    <span className={`badge role-${entry.actor.role}`}>{entry.actor.role}</span>
                  </td>
                  <td data-label="Action">
                    <strong>{entry.action}</strong>
                  </td>
                  <td data-label="Target" className="mono">
                    {describeTarget(entry.target)}
                  </td>
                  <td data-label="Figures" className="mono small">
                    {Object.entries(entry.counts)
                      .map(([key, value]) => `${key} ${value}`)
                      .join(' · ') || '–'}
                  </td>
                  <td data-label="Outcome">
                    <span className={`badge outcome-${entry.outcome}`}>{entry.outcome}</span>
                  </td>
                  <td data-label="Detail" className="small">
                    {entry.detail ?? ''}
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
