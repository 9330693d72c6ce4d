import { describe, expect, it } from 'vitest'
import { deadLetter } from '../../test-support/messages.js'
import { headerChanges, retryDraft } from './retry-draft.js'

const message = deadLetter('17', {
  payload: { order: 17, amount: 100 },
  headers: { 'x-death': [{ count: 1 }], tenant: 'acme', 'warren-attempts': 3 },
  originalQueue: 'orders',
})

describe('the edit-and-retry draft', () => {
  it('starts from the payload as pretty JSON and the headers without x-death', () => {
    const draft = retryDraft(message)
    expect(draft.payload).toBe('{\n  "order": 17,\n  "amount": 100\n}')
    expect(JSON.parse(draft.headers)).toEqual({ tenant: 'acme', 'warren-attempts': 3 })
    expect(draft.target).toBe('')
  })

  it('sends only what changed: a new value, an added header, null for a removed one', () => {
    const edited = JSON.stringify({ tenant: 'globex', region: 'eu' })
    expect(headerChanges(message, edited)).toEqual({
      ok: true,
      changes: { tenant: 'globex', region: 'eu', 'warren-attempts': null },
    })
  })

  it('sends no headers when none changed', () => {
    expect(headerChanges(message, retryDraft(message).headers)).toEqual({
      ok: true,
      changes: undefined,
    })
  })

  it('says why headers that are no JSON object cannot be sent', () => {
    const broken = headerChanges(message, '{ tenant: ')
    expect(broken.ok).toBe(false)
    expect(!broken.ok && broken.reason).toMatch(/^Headers are not valid JSON: /)
    expect(headerChanges(message, '[1]')).toEqual({
      ok: false,
      reason: 'Headers must be a JSON object',
    })
  })
})
