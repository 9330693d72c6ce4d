/** @vitest-environment happy-dom */
import { screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { mockApi, renderWithClient } from '../../test-support/render.js'
import { PurgeDialog } from './PurgeDialog.js'

describe('the purge dialog', () => {
  it('opens with the focus in the field where the queue name is typed', async () => {
    mockApi()
    renderWithClient(
      <PurgeDialog vhost="/" queue="orders.dlq" count={3} onClose={() => {}} onDone={() => {}} />,
    )
    const field = await screen.findByLabelText('Queue name to confirm purge')
    expect(document.activeElement).toBe(field)
  })
})
