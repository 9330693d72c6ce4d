import { describe, expect, it } from 'vitest'
import { DEFAULT_LIST, listQueryOf, parseListSearch, sortedBy } from './list-search.js'

describe("the queue list's URL", () => {
  it('keeps only what differs from the server defaults', () => {
    expect(parseListSearch({ sort: 'name', order: 'asc', page: 1, search: 'orders' })).toEqual({
      search: 'orders',
    })
    expect(listQueryOf({})).toEqual(DEFAULT_LIST)
  })

  it('reads values the router parsed as numbers, and drops only the invalid ones', () => {
    expect(parseListSearch({ page: 3, pageSize: 50, search: 123, sort: 'nonsense' })).toEqual({
      page: 3,
      pageSize: 50,
      search: '123',
    })
    expect(parseListSearch({ pageSize: 5000, role: 'dead-letter' })).toEqual({
      role: 'dead-letter',
    })
  })

  it('turns the order round on the same column and starts numbers largest first', () => {
    const byName = listQueryOf({ page: 4 })
    expect(sortedBy(byName, 'name')).toEqual({ sort: 'name', order: 'desc', page: 1 })
    expect(sortedBy(byName, 'messages')).toEqual({ sort: 'messages', order: 'desc', page: 1 })
    expect(sortedBy(listQueryOf({ sort: 'messages', order: 'desc' }), 'messages')).toMatchObject({
      order: 'asc',
    })
  })
})
