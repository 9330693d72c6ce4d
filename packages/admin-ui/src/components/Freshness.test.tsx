/** @vitest-environment happy-dom */
import { render, renderHook, screen } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiUnreachableError } from '../lib/errors.js'
import { usePageTitle } from '../lib/page-title.js'
import { Freshness, isStale } from './Freshness.js'

const NOW = Date.parse('2026-12-04T10:00:00Z')

describe('freshness', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    vi.setSystemTime(NOW)
  })
  afterEach(() => vi.useRealTimers())

  it('says how long ago the figures were read', () => {
    render(<Freshness source={{ dataUpdatedAt: NOW - 12_000, isError: false, error: null }} />)
    expect(screen.getByTestId('freshness').textContent).toBe('Updated 12s ago')
  })

  it('calls the figures stale, with their age and why, while the API does not answer', () => {
    const source = {
      dataUpdatedAt: NOW - 40_000,
      isError: true,
      error: new ApiUnreachableError(new TypeError('fetch failed')),
    }
    render(<Freshness source={source} />)
    expect(isStale(source)).toBe(true)
    const note = screen.getByTestId('freshness').textContent
    expect(note).toContain('Stale: not updated since')
    expect(note).toContain('(40s ago)')
    expect(note).toContain('The admin API cannot be reached')
  })

  it('shows nothing before the first answer, and an error without data is not stale', () => {
    const source = { dataUpdatedAt: 0, isError: true, error: new Error('down') }
    const { container } = render(<Freshness source={source} />)
    expect(container.textContent).toBe('')
    expect(isStale(source)).toBe(false)
  })
})

describe('page titles', () => {
  it('names the tab after the screen', () => {
    renderHook(() => usePageTitle('orders.dlq'))
    expect(document.title).toBe('orders.dlq · Warren')
  })
})
