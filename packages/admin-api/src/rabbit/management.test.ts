import { describe, expect, it } from 'vitest'
import { ApiError } from '../errors.js'
import { createDiscovery } from '../discovery/index.js'
import { createManagementClient } from './management.js'

/**
 * A fake management API: answers by path, records what was asked and with which headers. Its
 * overview is a broker's that keeps statistics, unless `routes` says otherwise.
 */
function fakeApi(given: Record<string, unknown>) {
  const routes: Record<string, unknown> = { '/api/overview': { disable_stats: false }, ...given }
  const calls: { path: string; authorization: string | null }[] = []
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input))
    calls.push({
      path: url.pathname + url.search,
      authorization: new Headers(init?.headers).get('authorization'),
    })
    const body = routes[url.pathname]
    if (body === undefined) return new Response('{"error":"Object Not Found"}', { status: 404 })
    const page = Number(url.searchParams.get('page') ?? 1)
    const answer = Array.isArray(body) && url.searchParams.has('page') ? body[page - 1] : body
    return Response.json(answer)
  }
  return { fetch, calls }
}

const page = (items: unknown[], pageNo: number, pageCount: number) => ({
  items,
  page: pageNo,
  page_count: pageCount,
  total_count: items.length,
})
const q = (name: string, extra: object = {}) => ({ name, vhost: '/', arguments: [], ...extra })

describe('management client', () => {
  it('reads every page of /api/queues with columns and basic auth', async () => {
    const api = fakeApi({
      '/api/queues': [page([q('a', { messages: 0 })], 1, 2), page([q('b', { messages: 1 })], 2, 2)],
    })
    const client = createManagementClient({
      url: 'http://mgmt',
      user: 'u',
      password: 'p',
      fetch: api.fetch,
    })
    const queues = await client.queues()
    expect(queues.map((x) => x.name)).toEqual(['a', 'b'])
    expect(queues[0]?.arguments).toEqual({})
    expect(api.calls.map((c) => c.path.replace(/&columns=.*/, ''))).toEqual([
      '/api/queues?page=1&page_size=500',
      '/api/queues?page=2&page_size=500',
    ])
    expect(api.calls[0]?.path).toContain('columns=name,vhost,type')
    expect(api.calls[0]?.authorization).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`)
  })

  it('falls back to /api/queues/detailed when /api/queues lacks the stats fields (3.13+/4.x)', async () => {
    const api = fakeApi({
      '/api/queues': [page([q('a')], 1, 1)],
      '/api/queues/detailed': [page([q('a', { messages: 7, consumers: 1 })], 1, 1)],
    })
    const client = createManagementClient({ url: 'http://mgmt', fetch: api.fetch })
    const [queue] = await client.queues()
    expect(queue).toMatchObject({ name: 'a', messages: 7, consumers: 1 })
  })

  it('asks no /api/queues/detailed of a broker that keeps no statistics (disable_stats)', async () => {
    const api = fakeApi({
      '/api/overview': { disable_stats: true },
      '/api/queues': [page([q('a')], 1, 1)],
      '/api/queues/detailed': [page([q('a', { messages: 7 })], 1, 1)],
    })
    const client = createManagementClient({ url: 'http://mgmt', fetch: api.fetch })
    const [queue] = await client.queues()
    expect(queue?.messages).toBeUndefined()
    expect(await client.statsDisabled()).toBe(true)
    expect(api.calls.filter((c) => c.path.startsWith('/api/queues/detailed'))).toHaveLength(0)
    expect(api.calls.filter((c) => c.path === '/api/overview')).toHaveLength(1)
  })

  it('remembers that /api/queues/detailed does not exist (3.10) and asks only once', async () => {
    const api = fakeApi({ '/api/queues': [page([q('fresh')], 1, 1)] })
    const client = createManagementClient({ url: 'http://mgmt', fetch: api.fetch })
    expect((await client.queues()).map((x) => x.name)).toEqual(['fresh'])
    await client.queues()
    expect(api.calls.filter((c) => c.path.startsWith('/api/queues/detailed'))).toHaveLength(1)
  })

  it('turns an unreachable, slow or refusing management API into a 502 problem without credentials', async () => {
    const cases: (typeof fetch)[] = [
      () => Promise.reject(new TypeError('fetch failed: http://u:hunter2@mgmt')),
      (_input, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
      async () => new Response('{"error":"not_authorised"}', { status: 401 }),
      async () => new Response('<html>proxy error</html>', { status: 200 }),
    ]
    for (const fetch of cases) {
      const client = createManagementClient({
        url: 'http://mgmt',
        user: 'u',
        password: 'hunter2',
        timeoutMs: 50,
        fetch,
      })
      const error = await client.overview().then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error).toBeInstanceOf(ApiError)
      expect((error as ApiError).status).toBe(502)
      expect(`${(error as ApiError).detail}`).not.toContain('hunter2')
    }
  })

  it('answers 404 ApiError for a queue that does not exist, with encoded names', async () => {
    const api = fakeApi({})
    const client = createManagementClient({ url: 'http://mgmt', fetch: api.fetch })
    const error = await client.queue('/', 'a/b c', { ageSeconds: 60, incrSeconds: 5 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect((error as ApiError).status).toBe(404)
    expect(api.calls[0]?.path).toMatch(/^\/api\/queues\/%2F\/a%2Fb%20c\?lengths_age=60/)
  })
})

/** A cluster of fake management APIs by host: 'down' refuses the connection, a number is a status. */
function fakeCluster(state: Record<string, 'up' | 'down' | number>) {
  const asked: string[] = []
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = new URL(String(input))
    asked.push(url.host)
    const node = state[url.host]
    if (node === 'down') throw new TypeError(`fetch failed: ${String(input)}`)
    if (typeof node === 'number') return new Response('{"error":"x"}', { status: node })
    return Response.json({ node: `rabbit@${url.hostname}` })
  }
  return { fetch, asked }
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (e: unknown) => e as ApiError,
  )

describe('management failover', () => {
  const urls = ['http://u:hunter2@n1:15672', 'http://u:hunter2@n2:15672', 'http://n3:15672/']

  it('asks the next management API when the first refuses the connection, and answers from it', async () => {
    const cluster = fakeCluster({ 'n1:15672': 'down', 'n2:15672': 'up', 'n3:15672': 'up' })
    const client = createManagementClient({ url: urls, fetch: cluster.fetch })

    const overview = await client.overview()

    expect(overview.node).toBe('rabbit@n2')
    expect(cluster.asked).toEqual(['n1:15672', 'n2:15672'])
    expect(client.answeredBy()).toBe('http://n2:15672')
  })

  it('moves on after a timeout or a 5xx of one node', async () => {
    const cluster = fakeCluster({ 'n1:15672': 503, 'n2:15672': 'up', 'n3:15672': 'up' })
    const hanging: typeof fetch = (input, init) =>
      new URL(String(input)).host === 'n2:15672'
        ? new Promise((_resolve, reject) =>
            init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
          )
        : cluster.fetch(input, init)
    const client = createManagementClient({ url: urls, timeoutMs: 50, fetch: hanging })

    expect((await client.overview()).node).toBe('rabbit@n3')
    expect(client.answeredBy()).toBe('http://n3:15672')
  })

  it('sticks to the management API that answered last, and wraps around when it fails', async () => {
    const state: Record<string, 'up' | 'down'> = {
      'n1:15672': 'down',
      'n2:15672': 'up',
      'n3:15672': 'up',
    }
    const cluster = fakeCluster(state)
    const client = createManagementClient({ url: urls, fetch: cluster.fetch })

    await client.overview()
    state['n1:15672'] = 'up'
    await client.overview()
    await client.overview()
    expect(cluster.asked).toEqual(['n1:15672', 'n2:15672', 'n2:15672', 'n2:15672'])

    cluster.asked.length = 0
    state['n2:15672'] = 'down'
    state['n3:15672'] = 'down'
    expect((await client.overview()).node).toBe('rabbit@n1')
    expect(cluster.asked).toEqual(['n2:15672', 'n3:15672', 'n1:15672'])
    expect(client.answeredBy()).toBe('http://n1:15672')
  })

  it('does not move on after a 4xx: a missing queue is 404 and refused credentials are 502', async () => {
    for (const [status, expected] of [
      [404, 404],
      [401, 502],
    ] as const) {
      const cluster = fakeCluster({ 'n1:15672': status, 'n2:15672': 'up', 'n3:15672': 'up' })
      const client = createManagementClient({ url: urls, fetch: cluster.fetch })
      const error = await failure(client.queue('/', 'orders', { ageSeconds: 60, incrSeconds: 5 }))
      expect(error?.status).toBe(expected)
      expect(cluster.asked).toEqual(['n1:15672'])
    }
  })

  it('answers the 502 problem, naming no credentials, when every management API is down', async () => {
    const cluster = fakeCluster({ 'n1:15672': 'down', 'n2:15672': 'down', 'n3:15672': 500 })
    const client = createManagementClient({
      url: urls,
      user: 'u',
      password: 'hunter2',
      fetch: cluster.fetch,
    })

    const error = await failure(client.overview())

    expect(error).toBeInstanceOf(ApiError)
    expect(error?.status).toBe(502)
    expect(error?.title).toBe('RabbitMQ management API unavailable')
    expect(error?.detail).toBe(
      'None of the 3 management APIs answered: The management API answered 500',
    )
    expect(`${error?.message} ${error?.detail}`).not.toMatch(/hunter2|u:/)
    expect(cluster.asked).toEqual(['n1:15672', 'n2:15672', 'n3:15672'])
    expect(client.answeredBy()).toBeUndefined()
  })
})

describe('discovery cache', () => {
  it('reuses one reading of the management API within the cache time', async () => {
    const api = fakeApi({
      '/api/queues': [page([q('a')], 1, 1)],
      '/api/bindings': [],
      '/api/exchanges': [],
      '/api/policies': [],
    })
    let now = 0
    const discovery = createDiscovery(
      createManagementClient({ url: 'http://mgmt', fetch: api.fetch }),
      3000,
      () => now,
    )
    await Promise.all([discovery.topology(), discovery.topology()])
    now = 2000
    await discovery.topology()
    const reads = () => api.calls.filter((c) => c.path.startsWith('/api/bindings')).length
    expect(reads()).toBe(1)
    now = 3500
    await discovery.topology()
    expect(reads()).toBe(2)
  })
})

describe('discovery scope', () => {
  it('reads each watched vhost on its own; a watched vhost that does not exist has no queues', async () => {
    const api = fakeApi({
      '/api/queues/billing': [page([q('invoices', { vhost: 'billing', messages: 0 })], 1, 1)],
      '/api/bindings/billing': [],
      '/api/exchanges/billing': [],
      '/api/policies/billing': [],
    })
    const discovery = createDiscovery(
      createManagementClient({ url: 'http://mgmt', fetch: api.fetch }),
      0,
      () => 0,
      undefined,
      ['billing', 'gone'],
    )

    const all = await discovery.topology()
    const outside = await discovery.topology('/')

    expect(all.queues.map((queue) => `${queue.vhost}/${queue.name}`)).toEqual(['billing/invoices'])
    expect(outside.queues).toEqual([])
    const vhostsRead = new Set(api.calls.map((c) => c.path.split('?')[0]?.split('/')[3]))
    expect(vhostsRead).toEqual(new Set(['billing', 'gone']))
  })
})
