import { useState } from 'react'
import { PhoneToggle } from '../../components/PhoneToggle.js'
import { compactFilter, isoToLocal, localToIso } from './store-filter.js'
import type { StoreFilter } from './store-filter.js'

export interface StoreFiltersProps {
  filter: StoreFilter
  onApply: (filter: StoreFilter) => void
  /** Suggestions for the fields, from the failure groups and the queues that feed this one. */
  errorNames: readonly string[]
  originalQueues: readonly string[]
}

/** Reasons RabbitMQ and the SDK write; any other can be typed. */
const REASONS = ['rejected', 'expired', 'maxlen', 'delivery_limit', 'max-attempts', 'non-retryable']

type Draft = Required<Omit<StoreFilter, 'group'>>

const draftOf = (filter: StoreFilter): Draft => ({
  search: filter.search ?? '',
  reason: filter.reason ?? '',
  errorName: filter.errorName ?? '',
  originalQueue: filter.originalQueue ?? '',
  routingKey: filter.routingKey ?? '',
  from: isoToLocal(filter.from),
  to: isoToLocal(filter.to),
})

/**
 * The store's filters, applied together on submit: each change would otherwise query a million
 * rows per keystroke. The group is set from the groups panel and kept as it is.
 */
export function StoreFilters({ filter, onApply, errorNames, originalQueues }: StoreFiltersProps) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(filter))
  const text = (key: keyof Draft, label: string, list?: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="text"
        aria-label={`Filter by ${label.toLowerCase()}`}
        value={draft[key]}
        list={list}
        onChange={(event) => setDraft((d) => ({ ...d, [key]: event.target.value }))}
      />
    </label>
  )
  const time = (key: 'from' | 'to', label: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        type="datetime-local"
        aria-label={`Dead-lettered ${label.toLowerCase()}`}
        value={draft[key]}
        onChange={(event) => setDraft((d) => ({ ...d, [key]: event.target.value }))}
      />
    </label>
  )
  const active = Object.keys(compactFilter({ ...filter, group: '' })).length
  return (
    <PhoneToggle label={active ? `Filters (${active})` : 'Filters'}>
      <form
        className="filters"
        role="search"
        aria-label="Filters"
        onSubmit={(event) => {
          event.preventDefault()
          onApply({
            ...draft,
            group: filter.group ?? '',
            from: localToIso(draft.from),
            to: localToIso(draft.to),
          })
        }}
      >
        <label className="field">
          <span>Search</span>
          <input
            type="search"
            aria-label="Search messages"
            placeholder="id, header, error or payload text"
            value={draft.search}
            size={28}
            onChange={(event) => setDraft((d) => ({ ...d, search: event.target.value }))}
          />
        </label>
        {text('reason', 'Reason', 'dlq-reasons')}
        {text('errorName', 'Error name', 'dlq-error-names')}
        {text('originalQueue', 'Original queue', 'dlq-original-queues')}
        {text('routingKey', 'Routing key')}
        {time('from', 'From')}
        {time('to', 'To')}
        <datalist id="dlq-reasons">
          {REASONS.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <datalist id="dlq-error-names">
          {errorNames.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <datalist id="dlq-original-queues">
          {originalQueues.map((q) => (
            <option key={q} value={q} />
          ))}
        </datalist>
        <button type="submit" className="button primary">
          Apply filters
        </button>
        <button
          type="button"
          className="button ghost"
          onClick={() => {
            setDraft(draftOf({}))
            onApply({})
          }}
        >
          Clear
        </button>
      </form>
    </PhoneToggle>
  )
}
