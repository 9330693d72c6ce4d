/** @vitest-environment happy-dom */
import { fireEvent, render, screen } from '@testing-library/react'
import { useState } from 'react'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deadLetter, failure } from '../../test-support/messages.js'
import { neighbours, toRows } from './filter-messages.js'
import { MessageDrawer } from './MessageDrawer.js'
import { MessageTable } from './MessageTable.js'

const messages = ['a', 'b', 'c'].map((id) =>
  deadLetter(id, { messageId: `order-${id}`, error: failure('PaymentError', 'card declined') }),
)

/** The table and its drawer as a DLQ screen joins them. */
function Triage() {
  const [openId, setOpenId] = useState<string | null>(null)
  return (
    <>
      <MessageTable
        rows={toRows(messages, false)}
        visibleIds={messages.map((m) => m.id)}
        selected={new Set()}
        onSelectionChange={() => {}}
        onOpen={(m) => setOpenId(m.id)}
        onToggleGroup={() => {}}
      />
      <MessageDrawer
        message={messages.find((m) => m.id === openId) ?? null}
        onClose={() => setOpenId(null)}
        {...neighbours(messages, openId, setOpenId)}
      />
    </>
  )
}

const press = (key: string, target: Element = document.body) => fireEvent.keyDown(target, { key })
const focused = () => document.activeElement?.getAttribute('aria-label')
const drawerTitle = () => screen.getByTestId('message-drawer').querySelector('h2')?.textContent

describe('keyboard triage', () => {
  // happy-dom lays nothing out: the virtual table would render no row in a box of 0 px.
  const box = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight')
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, value: 600 })
  })
  afterAll(() => {
    if (box) Object.defineProperty(HTMLElement.prototype, 'clientHeight', box)
  })

  it('steps through the rows with j and k, and opens one with Enter', () => {
    render(<Triage />)
    press('j')
    expect(focused()).toBe('Open message order-a')
    press('j')
    press('j')
    press('j')
    expect(focused()).toBe('Open message order-c')
    press('k')
    expect(focused()).toBe('Open message order-b')
    fireEvent.click(document.activeElement as HTMLElement)
    expect(drawerTitle()).toBe('Message order-b')
  })

  it('goes to the next and previous message inside the drawer, by key and by button', () => {
    render(<Triage />)
    fireEvent.click(screen.getByRole('button', { name: 'Open message order-a' }))
    expect(screen.getByRole('button', { name: '← Previous' })).toHaveProperty('disabled', true)
    press('j', screen.getByRole('button', { name: 'Next →' }))
    expect(drawerTitle()).toBe('Message order-b')
    fireEvent.click(screen.getByRole('button', { name: 'Next →' }))
    expect(drawerTitle()).toBe('Message order-c')
    expect(screen.getByRole('button', { name: 'Next →' })).toHaveProperty('disabled', true)
    press('k', screen.getByRole('button', { name: '← Previous' }))
    expect(drawerTitle()).toBe('Message order-b')
  })

  it('leaves j and k alone while the operator types', () => {
    render(
      <>
        <input aria-label="Search" />
        <Triage />
      </>,
    )
    const search = screen.getByLabelText('Search')
    search.focus()
    press('j', search)
    expect(document.activeElement).toBe(search)
  })
})
