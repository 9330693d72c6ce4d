/** @vitest-environment happy-dom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { bulkOperation } from '../../test-support/messages.js'
import { mockApi, on, renderWithClient } from '../../test-support/render.js'
import { BulkDialog } from './BulkDialog.js'
import type { BulkRequest } from './BulkDialog.js'

const OPERATIONS = '/api/dead-letters/%2F/orders.dlq/operations'

const request: BulkRequest = {
  action: 'requeue',
  selection: { filter: { group: 'g1' } },
  scope: 'the group TypeError: card declined',
  reasons: [{ label: 'TypeError: card declined', count: 1200 }],
}

const operations = (started = bulkOperation('op-1')) =>
  on('POST', OPERATIONS, ({ body }) =>
    (body as { dryRun?: boolean }).dryRun
      ? { body: { matched: 1200, targets: { orders: 1000, 'orders.eu': 200 } } }
      : { status: 202, body: started },
  )

describe('the bulk dialog', () => {
  it('counts first: how many, to which queues, and why they failed', async () => {
    const sent = mockApi(operations())
    renderWithClient(
      <BulkDialog
        vhost="/"
        queue="orders.dlq"
        request={request}
        onClose={() => {}}
        onStarted={() => {}}
      />,
    )
    expect(await screen.findByTestId('dry-run-count')).toHaveProperty(
      'textContent',
      '1,200 messages held now would be requeued.',
    )
    const targets = screen.getByRole('table', { name: 'Where they go' })
    expect(targets.textContent).toContain('orders1,000')
    expect(targets.textContent).toContain('orders.eu200')
    expect(screen.getByTestId('bulk-reasons').textContent).toContain(
      'unless the cause has been fixed, they will fail again',
    )
    expect(sent[0]?.body).toEqual({
      action: 'requeue',
      selection: { filter: { group: 'g1' } },
      dryRun: true,
    })
  })

  it('starts the operation at the rate asked for and hands over its id', async () => {
    const sent = mockApi(operations())
    const onStarted = vi.fn()
    renderWithClient(
      <BulkDialog
        vhost="/"
        queue="orders.dlq"
        request={request}
        onClose={() => {}}
        onStarted={onStarted}
      />,
    )
    fireEvent.change(screen.getByLabelText('Rate in messages per second (optional)'), {
      target: { value: '50' },
    })
    const confirm = await screen.findByRole('button', { name: 'Requeue 1200 messages' })
    await waitFor(() => expect(confirm).toHaveProperty('disabled', false))
    fireEvent.click(confirm)
    await waitFor(() => expect(onStarted).toHaveBeenCalledWith('op-1'))
    expect(sent.at(-1)?.body).toEqual({
      action: 'requeue',
      selection: { filter: { group: 'g1' } },
      rate: 50,
    })
  })

  it('asks for a target before a move can be counted', async () => {
    const sent = mockApi(operations())
    renderWithClient(
      <BulkDialog
        vhost="/"
        queue="orders.dlq"
        request={{ ...request, action: 'move' }}
        onClose={() => {}}
        onStarted={() => {}}
      />,
    )
    expect(screen.getByTestId('dry-run').textContent).toBe('Name the queue to move them to.')
    expect(sent).toHaveLength(0)
    fireEvent.change(screen.getByLabelText('Target queue'), { target: { value: 'orders.parked' } })
    await screen.findByTestId('dry-run-count')
    expect(sent[0]?.body).toMatchObject({ action: 'move', target: 'orders.parked', dryRun: true })
  })

  it('shows why the server refused, such as another operation running on the queue', async () => {
    mockApi(
      on('POST', OPERATIONS, ({ body }) =>
        (body as { dryRun?: boolean }).dryRun
          ? { body: { matched: 3 } }
          : {
              status: 409,
              body: {
                type: 'urn:warren:problem:operation-running',
                title: 'An operation is running on this queue',
                detail: 'requeue op-0 is running',
              },
            },
      ),
    )
    renderWithClient(
      <BulkDialog
        vhost="/"
        queue="orders.dlq"
        request={request}
        onClose={() => {}}
        onStarted={() => {}}
      />,
    )
    const confirm = await screen.findByRole('button', { name: 'Requeue 3 messages' })
    await waitFor(() => expect(confirm).toHaveProperty('disabled', false))
    fireEvent.click(confirm)
    expect((await screen.findByRole('alert')).textContent).toBe(
      'An operation is running on this queue: requeue op-0 is running',
    )
  })
})
