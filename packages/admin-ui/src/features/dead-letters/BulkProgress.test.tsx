/** @vitest-environment happy-dom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { bulkOperation } from '../../test-support/messages.js'
import { mockApi, on, renderWithClient } from '../../test-support/render.js'
import { BulkProgress } from './BulkProgress.js'

describe('the progress of a bulk operation', () => {
  it('shows done of total, the measured and asked rate and the time left', async () => {
    mockApi(on('GET', '/api/bulk-operations/op-1', { body: bulkOperation('op-1') }))
    renderWithClient(<BulkProgress id="op-1" />)
    expect((await screen.findByTestId('bulk-done')).textContent).toBe('100 of 300')
    expect(screen.getByTestId('bulk-rate').textContent).toBe('48/s measured · 50/s asked')
    expect(screen.getByTestId('bulk-eta').textContent).toBe('4s')
    const bar = screen.getByRole('progressbar', { name: 'Requeue of 300 messages: progress' })
    expect(bar.getAttribute('value')).toBe('100')
    expect(bar.getAttribute('max')).toBe('300')
  })

  it('pauses, then offers to resume', async () => {
    const sent = mockApi(
      on('GET', '/api/bulk-operations/op-1', { body: bulkOperation('op-1') }),
      on('POST', '/api/bulk-operations/op-1/pause', {
        body: bulkOperation('op-1', { status: 'paused', measuredRate: null }),
      }),
      on('GET', '/api/dead-letters/%2F/orders.dlq/operations', { body: { items: [] } }),
    )
    renderWithClient(<BulkProgress id="op-1" />)
    fireEvent.click(await screen.findByRole('button', { name: 'Pause' }))
    expect(await screen.findByRole('button', { name: 'Resume' })).toBeDefined()
    expect(screen.getByTestId('bulk-progress').dataset.status).toBe('paused')
    expect(
      sent.some((r) => r.method === 'POST' && r.path === '/api/bulk-operations/op-1/pause'),
    ).toBe(true)
  })

  it('changes the rate, and an empty rate lifts the pacing', async () => {
    const sent = mockApi(
      on('GET', '/api/bulk-operations/op-1', { body: bulkOperation('op-1') }),
      on('PATCH', '/api/bulk-operations/op-1', ({ body }) => ({
        body: bulkOperation('op-1', body as { rate: number | null }),
      })),
      on('GET', '/api/dead-letters/%2F/orders.dlq/operations', { body: { items: [] } }),
    )
    renderWithClient(<BulkProgress id="op-1" />)
    const rate = await screen.findByLabelText('New rate (msg/s, empty: unpaced)')
    fireEvent.change(rate, { target: { value: '200' } })
    fireEvent.click(screen.getByRole('button', { name: 'Set rate' }))
    await waitFor(() =>
      expect(screen.getByTestId('bulk-rate').textContent).toContain('200/s asked'),
    )
    fireEvent.click(screen.getByRole('button', { name: 'Set rate' }))
    await waitFor(() => expect(screen.getByTestId('bulk-rate').textContent).toContain('unpaced'))
    expect(sent.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      { rate: 200 },
      { rate: null },
    ])
  })

  it('offers no controls once the operation has finished', async () => {
    mockApi(
      on('GET', '/api/bulk-operations/op-1', {
        body: bulkOperation('op-1', {
          status: 'succeeded',
          done: 300,
          finishedAt: '2026-12-03T10:00:06.000Z',
        }),
      }),
    )
    renderWithClient(<BulkProgress id="op-1" />)
    expect((await screen.findByTestId('bulk-done')).textContent).toBe('300 of 300')
    expect(screen.queryByRole('button', { name: /pause|resume|cancel/i })).toBeNull()
  })
})
