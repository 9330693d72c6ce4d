// The server-side filter of a stored dead-letter queue, as the screen holds it and as the API's
// query strings and request bodies carry it. Plain data, so it can be specified without a DOM.

import { withBase } from '../../lib/base-path.js'

/** Every field optional; an empty string means "any". Times are ISO 8601. */
export interface StoreFilter {
  search?: string
  reason?: string
  errorName?: string
  originalQueue?: string
  routingKey?: string
  /** A failure group's key. */
  group?: string
  from?: string
  to?: string
}

export const FILTER_FIELDS = [
  'search',
  'reason',
  'errorName',
  'originalQueue',
  'routingKey',
  'group',
  'from',
  'to',
] as const satisfies readonly (keyof StoreFilter)[]

/** The filter without its empty fields, trimmed: what the API is sent and what keys a query. */
export function compactFilter(filter: StoreFilter): StoreFilter {
  const out: StoreFilter = {}
  for (const field of FILTER_FIELDS) {
    const value = filter[field]?.trim()
    if (value) out[field] = value
  }
  return out
}

export const isFiltered = (filter: StoreFilter): boolean =>
  Object.keys(compactFilter(filter)).length > 0

/** A `datetime-local` input's value (the browser's zone) as ISO 8601; '' when empty or invalid. */
export function localToIso(local: string): string {
  if (!local) return ''
  const ms = Date.parse(local)
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString()
}

/** ISO 8601 as a `datetime-local` input's value in the browser's zone. */
export function isoToLocal(iso: string | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

/** What a bulk action or an export covers. */
export type Selection = { ids: string[] } | { filter: StoreFilter }

/**
 * The NDJSON export of a selection: a plain link, so the browser downloads it with the session
 * cookie (same origin) and streams it to disk however large.
 */
export function exportHref(vhost: string, queue: string, selection: Selection): string {
  const params = new URLSearchParams()
  if ('ids' in selection) params.set('ids', selection.ids.join(','))
  else
    for (const [key, value] of Object.entries(compactFilter(selection.filter)))
      params.set(key, value)
  const query = params.toString()
  const path = withBase(
    `/api/dead-letters/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/export`,
  )
  return query ? `${path}?${query}` : path
}

/** In words, for a dialog's title: "the selected 3 messages", "group TypeError…", "the filter". */
export function describeSelection(selection: Selection, groupLabel?: string): string {
  if ('ids' in selection) {
    const n = selection.ids.length
    return `${n} selected message${n === 1 ? '' : 's'}`
  }
  if (groupLabel) return `the group ${groupLabel}`
  return isFiltered(selection.filter) ? 'every message matching the filters' : 'every message held'
}
