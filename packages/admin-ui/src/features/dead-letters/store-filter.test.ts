import { describe, expect, it } from 'vitest'
import { compactFilter, exportHref, isFiltered, isoToLocal, localToIso } from './store-filter.js'

describe('the store filter', () => {
  it('sends only the fields that say something, trimmed', () => {
    expect(
      compactFilter({ search: '  card ', reason: '', errorName: 'TypeError', to: ' ' }),
    ).toEqual({ search: 'card', errorName: 'TypeError' })
    expect(isFiltered({ reason: '', group: '' })).toBe(false)
    expect(isFiltered({ group: 'abc' })).toBe(true)
  })

  it('exports a filter as the query of the export link, names escaped', () => {
    expect(
      exportHref('/', 'orders.dlq', { filter: { group: 'g 1', search: '', reason: 'rejected' } }),
    ).toBe('/api/dead-letters/%2F/orders.dlq/export?reason=rejected&group=g+1')
  })

  it('exports a selection by its ids, and everything without a filter', () => {
    expect(exportHref('shop', 'q', { ids: ['3', '17'] })).toBe(
      '/api/dead-letters/shop/q/export?ids=3%2C17',
    )
    expect(exportHref('shop', 'q', { filter: {} })).toBe('/api/dead-letters/shop/q/export')
  })

  it('turns the time inputs into ISO instants and back, in the browser zone', () => {
    const iso = localToIso('2026-12-03T11:02')
    expect(iso).toMatch(/^2026-12-0[23]T\d\d:02:00\.000Z$/)
    expect(isoToLocal(iso)).toBe('2026-12-03T11:02')
    expect(localToIso('')).toBe('')
    expect(localToIso('not a time')).toBe('')
  })
})
