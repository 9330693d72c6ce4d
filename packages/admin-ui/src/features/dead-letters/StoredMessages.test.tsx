/** @vitest-environment happy-dom */
import { fireEvent, screen, waitFor, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { bulkOperation, deadLetter, failure, group } from '../../test-support/messages.js'
import { mockApi, on, renderWithClient } from '../../test-support/render.js'
import type { SentRequest } from '../../test-support/render.js'
import { StoredMessages } from './StoredMessages.js'

const BASE = '/api/dead-letters/%2F/orders.dlq'
const declined = group('g-declined', {
  errorName: 'PaymentError',
  errorMessage: 'card declined',
  count: 999_000,
})
const timeout = group('g-timeout', {
  errorName: 'TimeoutError',
  errorMessage: 'gateway',
  count: 1000,
})

/** A store of 1,000,000 dead letters that answers every page with two messages of that page. */
function store(extra: Parameters<typeof mockApi> = []) {
  return mockApi(
    ...extra,
    on('GET', `${BASE}/messages`, ({ query }) => {
      const offset = Number(query.get('offset'))
      const total = query.get('group') === 'g-timeout' ? 1000 : 1_000_000
      return {
        body: {
          total,
          items: [offset + 1, offset + 2].map((n) =>
            deadLetter(String(n), { error: failure('PaymentError', 'card declined') }),
          ),
          reading: {
            mode: 'store',
            deliveryLimit: null,
            readAt: '2026-12-03T10:00:00.000Z',
            held: 1_000_000,
            inBroker: 42,
          },
        },
      }
    }),
    on('GET', `${BASE}/groups`, {
      body: { items: [declined, timeout], total: 1_000_000, complete: true },
    }),
    on('GET', `${BASE}/notes`, {
      body: {
        items: [
          {
            id: 1,
            target: { group: 'g-declined' },
            text: 'PSP outage, wait for their fix',
            author: 'ana',
            createdAt: '2026-12-03T09:00:00.000Z',
          },
        ],
      },
    }),
    on('GET', `${BASE}/operations`, { body: { items: [] } }),
  )
}

const lastPage = (sent: SentRequest[]) => sent.filter((r) => r.path === `${BASE}/messages`).at(-1)

const screenOf = () =>
  renderWithClient(<StoredMessages vhost="/" queue="orders.dlq" canOperate feeds={['orders']} />)

describe('a dead-letter queue in the store', () => {
  it('says how many dead letters the store holds and how many RabbitMQ still has', async () => {
    store()
    screenOf()
    await waitFor(() =>
      expect(screen.getByTestId('store-counts').textContent).toBe(
        "1,000,000 dead letters in Warren's store · 42 still in RabbitMQ (being drained into the store)",
      ),
    )
    expect(screen.getByTestId('page-range').textContent).toBe('1–100 of 1,000,000')
  })

  it('pages at any depth: the last page is one request away', async () => {
    const sent = store()
    screenOf()
    await waitFor(() => expect(screen.getByTestId('page-range').textContent).toContain('1–100'))
    fireEvent.click(screen.getByRole('button', { name: 'Last' }))
    await waitFor(() =>
      expect(screen.getByTestId('page-range').textContent).toBe('999,901–1,000,000 of 1,000,000'),
    )
    expect(lastPage(sent)?.query.get('offset')).toBe('999900')
    expect(lastPage(sent)?.query.get('limit')).toBe('100')
  })

  it('lists the failure groups, and a click on one filters the table by it', async () => {
    const sent = store()
    screenOf()
    const rows = await screen.findAllByTestId('group-row')
    expect(rows.map((r) => r.dataset.group)).toEqual(['g-declined', 'g-timeout'])
    expect(within(rows[0]!).getByTestId('group-count').textContent).toBe('999,000')
    expect(rows[0]!.textContent).toContain('orders')
    expect(screen.getByTestId('groups-coverage').textContent).toBe(
      '2 groups of 1,000,000 dead letters',
    )
    fireEvent.click(within(rows[1]!).getByRole('button', { name: 'TimeoutError: gateway' }))
    await waitFor(() => expect(lastPage(sent)?.query.get('group')).toBe('g-timeout'))
    expect((await screen.findByTestId('group-filter')).textContent).toContain(
      'TimeoutError: gateway',
    )
    await waitFor(() => expect(screen.getByTestId('page-range').textContent).toBe('1–100 of 1,000'))
  })

  it('sends the filters to the server together, times as ISO instants', async () => {
    const sent = store()
    screenOf()
    fireEvent.change(await screen.findByLabelText('Filter by error name'), {
      target: { value: 'PaymentError' },
    })
    fireEvent.change(screen.getByLabelText('Filter by routing key'), {
      target: { value: 'order.eu' },
    })
    fireEvent.change(screen.getByLabelText('Dead-lettered from'), {
      target: { value: '2026-12-01T00:00' },
    })
    expect(lastPage(sent)?.query.get('errorName')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }))
    await waitFor(() => expect(lastPage(sent)?.query.get('errorName')).toBe('PaymentError'))
    expect(lastPage(sent)?.query.get('routingKey')).toBe('order.eu')
    expect(lastPage(sent)?.query.get('from')).toBe(new Date('2026-12-01T00:00').toISOString())
    expect(lastPage(sent)?.query.get('offset')).toBe('0')
  })

  it("shows a group's notes with author and offers its export", async () => {
    store()
    screenOf()
    const [row] = await screen.findAllByTestId('group-row')
    expect(within(row!).getByRole('link', { name: 'Export' }).getAttribute('href')).toBe(
      `${BASE}/export?group=g-declined`,
    )
    fireEvent.click(await within(row!).findByRole('button', { name: 'Notes (1)' }))
    const note = await screen.findByTestId('note')
    expect(note.textContent).toContain('PSP outage, wait for their fix')
    expect(note.textContent).toContain('ana')
  })

  it('shows the running operation of the queue after a reload', async () => {
    store([
      on('GET', `${BASE}/operations`, { body: { items: [bulkOperation('op-9')] } }),
      on('GET', '/api/bulk-operations/op-9', { body: bulkOperation('op-9') }),
    ])
    screenOf()
    expect((await screen.findByTestId('bulk-done')).textContent).toBe('100 of 300')
    expect(screen.getByRole('button', { name: 'Pause' })).toBeDefined()
  })
})
