import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef } from 'react'
import { formatTime } from '../../lib/format.js'
import { triageStep } from '../../lib/triage-keys.js'
import { usePhone } from '../../lib/use-phone.js'
import type { TableRow } from './filter-messages.js'
import type { DeadLetterMessage } from './types.js'

export interface MessageTableProps {
  rows: TableRow[]
  /** Messages shown (after filters), for "select all". */
  visibleIds: string[]
  selected: ReadonlySet<string>
  onSelectionChange: (next: Set<string>) => void
  onOpen: (message: DeadLetterMessage) => void
  /** Expands or collapses a group of messages failing the same way. */
  onToggleGroup: (key: string) => void
}

const ROW_HEIGHT = 36
/** On a phone a row is a card of three lines: id and time, error, reason and queue. */
const CARD_HEIGHT = 84
const COLUMNS = [
  'Message',
  'Reason',
  'Error',
  'Original queue',
  'Routing key',
  'Attempts',
  'Dead-lettered',
]

/**
 * Only the rows in view are in the DOM (@tanstack/react-virtual), so thousands of dead letters
 * scroll smoothly. It is an ARIA table: row and column counts are announced.
 */
export function MessageTable({
  rows,
  visibleIds,
  selected,
  onSelectionChange,
  onOpen,
  onToggleGroup,
}: MessageTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null)
  const rowHeight = usePhone() ? CARD_HEIGHT : ROW_HEIGHT
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is meant to be used this way
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    getItemKey: (index) => {
      const row = rows[index]
      if (!row) return index
      return row.kind === 'group' ? `group:${row.key}` : row.message.id
    },
  })

  // j and k move the focus down and up the rows (a row's first button), scrolling it into view;
  // Enter or Space then opens it. Inside an open dialog the keys are the dialog's.
  const rowCount = rows.length
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const step = triageStep(event)
      if (!step || rowCount === 0 || document.querySelector('dialog[open]')) return
      const body = scrollRef.current
      if (!body) return
      event.preventDefault()
      const current = (document.activeElement?.closest('[data-index]') as HTMLElement | null)
        ?.dataset['index']
      const from =
        current === undefined || !body.contains(document.activeElement) ? -1 : Number(current)
      const to = Math.min(rowCount - 1, Math.max(0, step === 'next' ? from + 1 : from - 1))
      virtualizer.scrollToIndex(to)
      const focus = () => body.querySelector<HTMLElement>(`[data-index="${to}"] button`)?.focus()
      // A row scrolled into view is rendered on the next frame.
      if (body.querySelector(`[data-index="${to}"]`)) focus()
      else requestAnimationFrame(focus)
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [rowCount, virtualizer])

  useEffect(() => virtualizer.measure(), [rowHeight, virtualizer])

  const allSelected = visibleIds.length > 0 && visibleIds.every((id) => selected.has(id))
  const someSelected = visibleIds.some((id) => selected.has(id))

  const setMany = (ids: string[], on: boolean) => {
    const next = new Set(selected)
    for (const id of ids) {
      if (on) next.add(id)
      else next.delete(id)
    }
    onSelectionChange(next)
  }

  return (
    <div
      className="vtable"
      role="table"
      aria-label="Dead letters"
      aria-rowcount={rows.length + 1}
      data-testid="message-table"
    >
      <div className="vtable-head" role="row" aria-rowindex={1}>
        <span role="columnheader">
          <input
            type="checkbox"
            aria-label="Select all shown messages"
            data-testid="select-all"
            checked={allSelected}
            ref={(el) => {
              if (el) el.indeterminate = someSelected && !allSelected
            }}
            onChange={(event) => setMany(visibleIds, event.target.checked)}
          />
        </span>
        {COLUMNS.map((column) => (
          <span key={column} role="columnheader">
            {column}
          </span>
        ))}
      </div>
      <div
        ref={scrollRef}
        className="vtable-body"
        data-testid="message-table-body"
        style={{ height: Math.min(rows.length, 18) * rowHeight }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }} role="rowgroup">
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]
            if (!row) return null
            const style = { transform: `translateY(${item.start}px)`, height: item.size }
            if (row.kind === 'group') {
              const groupSelected = row.ids.every((id) => selected.has(id))
              return (
                <div
                  key={item.key}
                  className="vrow group"
                  role="row"
                  aria-rowindex={item.index + 2}
                  data-index={item.index}
                  style={style}
                  data-testid="message-group"
                >
                  <span role="cell">
                    <input
                      type="checkbox"
                      aria-label={`Select the ${row.count} messages failing with ${row.key}`}
                      checked={groupSelected}
                      onChange={(event) => setMany(row.ids, event.target.checked)}
                    />
                  </span>
                  <span role="cell">
                    <button
                      type="button"
                      className="open-button error-text group-toggle"
                      aria-expanded={row.expanded}
                      title={row.key}
                      onClick={() => onToggleGroup(row.key)}
                    >
                      {row.expanded ? '▾' : '▸'} {row.key}
                    </button>
                  </span>
                  <span role="cell" className="muted">
                    {row.count} {row.count === 1 ? 'message' : 'messages'}
                  </span>
                </div>
              )
            }
            const m = row.message
            const isSelected = selected.has(m.id)
            const label = m.messageId ?? m.id
            return (
              <div
                key={item.key}
                className={`vrow ${isSelected ? 'selected' : ''}`}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={isSelected}
                data-index={item.index}
                style={style}
                data-testid="message-row"
                data-message-id={m.id}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest('input,button')) return
                  onOpen(m)
                }}
              >
                <span role="cell">
                  <input
                    type="checkbox"
                    aria-label={`Select message ${label}`}
                    checked={isSelected}
                    onChange={(event) => setMany([m.id], event.target.checked)}
                  />
                </span>
                <span role="cell">
                  <button
                    type="button"
                    className="open-button mono"
                    onClick={() => onOpen(m)}
                    title={label}
                    aria-label={`Open message ${label}`}
                  >
                    {label}
                  </button>
                </span>
                <span role="cell" title={m.explanation ?? undefined}>
                  {m.reason ?? '–'}
                </span>
                <span role="cell" className="error-text" title={m.error?.message ?? ''}>
                  {m.error ? [m.error.name, m.error.message].filter(Boolean).join(': ') : '–'}
                </span>
                <span role="cell" title={m.originalQueue ?? ''}>
                  {m.originalQueue ?? '–'}
                </span>
                <span role="cell" className="mono" title={m.routingKey ?? ''}>
                  {m.routingKey ?? '–'}
                </span>
                <span role="cell">{m.attempts ?? '–'}</span>
                <span role="cell">{formatTime(m.deadLetteredAt)}</span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}
