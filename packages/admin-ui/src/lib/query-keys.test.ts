import { describe, expect, it } from 'vitest'
import { affectedByMessageOperations, queryKeys } from './query-keys.js'

/** How react-query matches a filter key: as a prefix of the query's key. */
const invalidates = (filter: readonly unknown[], key: readonly unknown[]) =>
  filter.every((part, i) => JSON.stringify(part) === JSON.stringify(key[i]))

describe('the query-key factory', () => {
  it('nests each key under its family, so invalidating the family reaches every member', () => {
    const params = { limit: 500, offset: 0, filter: {} }
    const messages = queryKeys.deadLetters.messages('/', 'orders.dlq', params)
    expect(messages).toEqual(['dead-letters', 'messages', '/', 'orders.dlq', params])
    expect(invalidates(queryKeys.deadLetters.all, queryKeys.deadLetters.groups('/', 'q', {}))).toBe(
      true,
    )
    expect(invalidates(queryKeys.deadLetters.all, messages)).toBe(true)
    expect(invalidates(queryKeys.deadLetters.all, queryKeys.deadLetters.list())).toBe(true)
    expect(invalidates(queryKeys.queues.all, queryKeys.queues.detail('/', 'orders'))).toBe(true)
  })

  it('keeps queues of the same name in different vhosts apart', () => {
    expect(queryKeys.queues.detail('a', 'orders')).not.toEqual(
      queryKeys.queues.detail('b', 'orders'),
    )
  })

  it('does not mix families: a dead-letter key is no queue key', () => {
    expect(invalidates(queryKeys.queues.all, queryKeys.deadLetters.list())).toBe(false)
  })

  it('after a requeue, delete, purge or restore refreshes dead letters, queues, overview, archive and audit', () => {
    const refreshed = [
      queryKeys.deadLetters.messages('/', 'orders.dlq', {
        limit: 50,
        offset: 0,
        filter: { search: 'x' },
      }),
      queryKeys.deadLetters.operations('/', 'orders.dlq'),
      queryKeys.queues.list({ sort: 'name', order: 'asc', page: 2, pageSize: 100 }),
      queryKeys.overview,
      queryKeys.archive.list({ vhost: '/', queue: '', limit: 50, offset: 0 }),
      queryKeys.audit.list({ limit: 50, offset: 0 }),
    ]
    for (const key of refreshed) {
      expect(affectedByMessageOperations.some((filter) => invalidates(filter, key))).toBe(true)
    }
    expect(affectedByMessageOperations.some((f) => invalidates(f, queryKeys.session))).toBe(false)
  })
})
