import { describe, expect, it } from 'vitest'
import { deadLetter, failure } from '../../test-support/messages.js'
import {
  distinct,
  errorKey,
  errorShape,
  filterMessages,
  NO_FILTERS,
  toRows,
} from './filter-messages.js'

const messages = [
  deadLetter('a', {
    reason: 'max-attempts',
    originalQueue: 'orders',
    routingKey: 'order.placed',
    error: failure('TimeoutError', 'Payment gateway timed out after 3000 ms'),
  }),
  deadLetter('b', {
    reason: 'non-retryable',
    originalQueue: 'orders',
    routingKey: 'order.cancelled',
    error: failure(
      'Error',
      'Card declined for order 17',
      'Error: Card declined\n    at charge (pay.ts:4)',
    ),
  }),
  deadLetter('c', {
    reason: 'non-retryable',
    originalQueue: 'billing',
    routingKey: 'invoice.created',
    error: failure('Error', 'Card declined for order 18'),
  }),
  deadLetter('d', { reason: 'expired', originalQueue: 'billing' }),
]
const ids = (list: readonly { id: string }[]) => list.map((m) => m.id)

describe('filtering dead letters', () => {
  it('keeps every message when no filter is set', () => {
    expect(ids(filterMessages(messages, NO_FILTERS))).toEqual(['a', 'b', 'c', 'd'])
  })

  it('matches reason and original queue exactly', () => {
    expect(ids(filterMessages(messages, { ...NO_FILTERS, reason: 'non-retryable' }))).toEqual([
      'b',
      'c',
    ])
    expect(
      ids(
        filterMessages(messages, {
          ...NO_FILTERS,
          reason: 'non-retryable',
          originalQueue: 'billing',
        }),
      ),
    ).toEqual(['c'])
  })

  it('matches error text in the name, message or stack, ignoring case and spaces around it', () => {
    expect(ids(filterMessages(messages, { ...NO_FILTERS, errorText: '  TIMED OUT ' }))).toEqual([
      'a',
    ])
    expect(ids(filterMessages(messages, { ...NO_FILTERS, errorText: 'pay.ts' }))).toEqual(['b'])
    expect(ids(filterMessages(messages, { ...NO_FILTERS, errorText: 'timeouterror' }))).toEqual([
      'a',
    ])
  })

  it('matches part of the routing key', () => {
    expect(ids(filterMessages(messages, { ...NO_FILTERS, routingKey: 'order.' }))).toEqual([
      'a',
      'b',
    ])
  })

  it('offers each distinct value once, sorted, for the filter selects', () => {
    expect(distinct(messages, (m) => m.originalQueue)).toEqual(['billing', 'orders'])
    expect(distinct(messages, (m) => m.reason)).toEqual([
      'expired',
      'max-attempts',
      'non-retryable',
    ])
  })
})

describe('grouping dead letters by error', () => {
  it('ignores numbers and ids in error messages', () => {
    expect(errorShape('Card declined for order 17')).toBe('Card declined for order #')
    expect(errorShape('No customer 0190a6c2-7d4e-7b3a-9f1e-2c3d4e5f6a7b in tenant 42')).toBe(
      'No customer ‹id› in tenant #',
    )
    expect(errorShape('Lock 5f3a9c2e81 held')).toBe('Lock ‹id› held')
    expect(errorShape('Timed out after 2.5 s')).toBe('Timed out after # s')
  })

  it('keys a message by error name and message shape, else by its reason', () => {
    expect(errorKey(messages[1]!)).toBe('Error: Card declined for order #')
    expect(errorKey(messages[3]!)).toBe('(no error: expired)')
    expect(errorKey(deadLetter('e'))).toBe('(no error recorded)')
  })

  it('puts the largest group first and shows the messages of expanded groups only', () => {
    const rows = toRows(messages, true, new Set(['Error: Card declined for order #']))
    expect(
      rows.map((row) => (row.kind === 'group' ? `${row.key} (${row.count})` : row.message.id)),
    ).toEqual([
      'Error: Card declined for order # (2)',
      'b',
      'c',
      'TimeoutError: Payment gateway timed out after # ms (1)',
      '(no error: expired) (1)',
    ])
    expect(rows[0]).toMatchObject({ kind: 'group', ids: ['b', 'c'], expanded: true })
  })

  it('lists the messages as they are when not grouped', () => {
    expect(toRows(messages, false).map((row) => row.kind)).toEqual([
      'message',
      'message',
      'message',
      'message',
    ])
  })
})
