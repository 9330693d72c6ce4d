/** @vitest-environment happy-dom */
import { fireEvent, screen, waitFor } from '@testing-library/react'
import { describe, expect, it, vi } from 'vitest'
import { deadLetter } from '../../test-support/messages.js'
import { mockApi, on, renderWithClient } from '../../test-support/render.js'
import { EditRetry } from './EditRetry.js'

const RETRY = '/api/dead-letters/%2F/orders.dlq/messages/17/retry'
const message = deadLetter('17', {
  payload: { order: 17 },
  headers: { tenant: 'acme' },
  originalQueue: 'orders',
})

const edit = (label: string, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } })

describe('edit and retry', () => {
  it('sends the edited payload, the changed headers and the target, then reports where it went', async () => {
    const sent = mockApi(
      on('POST', RETRY, { body: { id: '17', target: 'orders.v2', archived: true } }),
    )
    const onRetried = vi.fn()
    renderWithClient(
      <EditRetry vhost="/" queue="orders.dlq" message={message} onRetried={onRetried} />,
    )
    expect((screen.getByLabelText('Payload') as HTMLTextAreaElement).value).toBe(
      '{\n  "order": 17\n}',
    )
    edit('Payload', '{"order": 17, "fixed": true}')
    edit('Headers (JSON object; remove a key to drop the header)', '{"tenant": "acme", "retry": 1}')
    edit('Target queue', 'orders.v2')
    fireEvent.click(screen.getByRole('button', { name: 'Send edited copy' }))
    await waitFor(() => expect(onRetried).toHaveBeenCalledWith('orders.v2'))
    expect(sent[0]?.body).toEqual({
      payload: '{"order": 17, "fixed": true}',
      headers: { retry: 1 },
      target: 'orders.v2',
    })
  })

  it('reports where the copy went even when the form closed before the answer came', async () => {
    // The list refreshes without the archived original while the retry is in flight, and that
    // closes the drawer holding this form.
    mockApi(on('POST', RETRY, { body: { id: '17', target: 'orders', archived: true } }))
    const onRetried = vi.fn()
    const { unmount } = renderWithClient(
      <EditRetry vhost="/" queue="orders.dlq" message={message} onRetried={onRetried} />,
    )
    fireEvent.click(screen.getByRole('button', { name: 'Send edited copy' }))
    unmount()
    await waitFor(() => expect(onRetried).toHaveBeenCalledWith('orders'))
  })

  it("shows the API's reason inline when the payload is not JSON", async () => {
    mockApi(
      on('POST', RETRY, {
        status: 400,
        body: {
          type: 'urn:warren:problem:invalid-json',
          title: 'The payload is not valid JSON',
          detail: "Expected property name or '}' in JSON at position 1",
        },
      }),
    )
    const onRetried = vi.fn()
    renderWithClient(
      <EditRetry vhost="/" queue="orders.dlq" message={message} onRetried={onRetried} />,
    )
    edit('Payload', '{order: 17}')
    fireEvent.click(screen.getByRole('button', { name: 'Send edited copy' }))
    expect((await screen.findByTestId('retry-error')).textContent).toBe(
      "The payload is not valid JSON: Expected property name or '}' in JSON at position 1",
    )
    expect(onRetried).not.toHaveBeenCalled()
  })

  it('refuses headers that are no JSON without asking the server', async () => {
    const sent = mockApi()
    renderWithClient(
      <EditRetry vhost="/" queue="orders.dlq" message={message} onRetried={() => {}} />,
    )
    edit('Headers (JSON object; remove a key to drop the header)', '{tenant')
    fireEvent.click(screen.getByRole('button', { name: 'Send edited copy' }))
    expect((await screen.findByRole('alert')).textContent).toMatch(/^Headers are not valid JSON/)
    expect(sent).toHaveLength(0)
  })

  it('does not offer to edit an encrypted message', () => {
    mockApi()
    renderWithClient(
      <EditRetry
        vhost="/"
        queue="orders.dlq"
        message={{ ...message, payloadEncoding: 'encrypted', payload: null }}
        onRetried={() => {}}
      />,
    )
    expect(screen.getByTestId('edit-retry').textContent).toContain(
      'An encrypted message cannot be edited here.',
    )
    expect(screen.queryByRole('button', { name: 'Send edited copy' })).toBeNull()
  })
})
