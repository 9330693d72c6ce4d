import { Fragment, useState } from 'react'
import type { GroupView } from '@warren/admin-api'
import { formatCount } from '../../lib/format.js'
import type { BulkAction } from './api/start-operation.js'
import { Notes } from './Notes.js'
import type { NoteItem } from './Notes.js'
import { TimeCell } from './TimeCell.js'
import { TableWrap } from '../../components/TableWrap.js'

export interface GroupsPanelProps {
  vhost: string
  queue: string
  groups: { items: GroupView[]; total: number; complete: boolean } | undefined
  /** The group the table is filtered by. */
  active: string | undefined
  onSelect: (group: GroupView | null) => void
  /** Store only: bulk actions, export and notes per group. */
  store?: {
    canOperate: boolean
    notes: readonly NoteItem[]
    onBulk: (action: BulkAction, group: GroupView) => void
    exportHref: (group: GroupView) => string
  }
}

export const groupLabel = (g: Pick<GroupView, 'errorName' | 'errorMessage'>): string =>
  [g.errorName, g.errorMessage].filter(Boolean).join(': ') || '(no error recorded)'

/** The failure groups, largest first: how many fail the same way, since when, from where. */
export function GroupsPanel({ vhost, queue, groups, active, onSelect, store }: GroupsPanelProps) {
  const [notesOpen, setNotesOpen] = useState<string | null>(null)
  if (!groups) return null
  return (
    <section className="card groups" aria-labelledby="groups-title" data-testid="groups-panel">
      <h2 id="groups-title">
        Failure groups{' '}
        <span className="muted small" data-testid="groups-coverage">
          {groups.complete
            ? `${formatCount(groups.items.length)} groups of ${formatCount(groups.total)} dead letters`
            : `partial: grouped from the first ${formatCount(groups.total)} messages only`}
        </span>
      </h2>
      {groups.items.length === 0 ? (
        <p className="muted">No dead letters to group.</p>
      ) : (
        <TableWrap label="Failure groups">
          <table className="table cards-on-phone">
            <thead>
              <tr>
                <th>Error</th>
                <th className="num">Count</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th>Original queues</th>
                {store ? <th>Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {groups.items.map((group) => {
                const label = groupLabel(group)
                const pressed = active === group.key
                const notes = store?.notes.filter(
                  (n) => 'group' in n.target && n.target.group === group.key,
                )
                return (
                  <Fragment key={group.key}>
                    <tr data-testid="group-row" data-group={group.key}>
                      <td data-label="Error">
                        <button
                          type="button"
                          className="open-button error-text"
                          aria-pressed={pressed}
                          title={pressed ? 'Show every group again' : 'Show only this group'}
                          onClick={() => onSelect(pressed ? null : group)}
                        >
                          {label}
                        </button>
                      </td>
                      <td data-label="Count" className="num" data-testid="group-count">
                        {formatCount(group.count)}
                      </td>
                      <td data-label="First seen">
                        <TimeCell value={group.firstSeen} />
                      </td>
                      <td data-label="Last seen">
                        <TimeCell value={group.lastSeen} />
                      </td>
                      <td data-label="Original queues" className="mono small">
                        {group.originalQueues.join(', ') || '–'}
                      </td>
                      {store ? (
                        <td data-label="Actions">
                          <div className="row-actions" role="group" aria-label={`Group ${label}`}>
                            {store.canOperate ? (
                              <>
                                <button
                                  type="button"
                                  className="button small"
                                  onClick={() => store.onBulk('requeue', group)}
                                >
                                  Requeue…
                                </button>
                                <button
                                  type="button"
                                  className="button small"
                                  onClick={() => store.onBulk('move', group)}
                                >
                                  Move…
                                </button>
                                <button
                                  type="button"
                                  className="button small danger-outline"
                                  onClick={() => store.onBulk('delete', group)}
                                >
                                  Delete…
                                </button>
                              </>
                            ) : null}
                            <a className="button small" href={store.exportHref(group)} download>
                              Export
                            </a>
                            <button
                              type="button"
                              className="button small ghost"
                              aria-expanded={notesOpen === group.key}
                              onClick={() =>
                                setNotesOpen((open) => (open === group.key ? null : group.key))
                              }
                            >
                              Notes ({notes?.length ?? 0})
                            </button>
                          </div>
                        </td>
                      ) : null}
                    </tr>
                    {store && notesOpen === group.key ? (
                      <tr>
                        <td colSpan={6}>
                          <Notes
                            vhost={vhost}
                            queue={queue}
                            target={{ group: group.key }}
                            notes={store.notes}
                            canAdd={store.canOperate}
                            label="this group"
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                )
              })}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  )
}
