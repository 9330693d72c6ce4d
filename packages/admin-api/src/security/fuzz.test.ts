// Every route, thrown hostile vhosts, names, ids, bodies, cookies and tokens as each kind of
// caller (issue 16, item 6): never a 500, every refusal a problem+json, no change without the role.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { ADMIN_TOKEN, VIEWER_TOKEN, tempDir, testConfig } from '../test-support/core.js'

/** Runs per route; the whole file stays within a few seconds. */
const RUNS = 40

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('/', '..', '.', '%2F..', '../../api/users', '\u0000', 'a'.repeat(300), '%', '*'),
)
const segment = hostile.map((text) => (text === '%' ? '%' : encodeURIComponent(text)))
const body = fc.oneof(
  fc.json(),
  fc.string({ maxLength: 60 }),
  fc.record({ ids: fc.array(hostile, { maxLength: 4 }) }),
  fc.record({ all: fc.boolean(), vhost: hostile, queue: hostile, confirm: hostile }),
  fc.record({ token: hostile }),
  fc.record({ username: hostile, password: hostile }),
)
const caller = fc.constantFrom('operator', 'viewer', 'logged-out', 'forged-token', 'forged-cookie')

type Route = { method: string; path: (v: string, q: string, id: string) => string }
const ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/health' },
  { method: 'POST', path: () => '/api/session' },
  { method: 'GET', path: () => '/api/session' },
  { method: 'DELETE', path: () => '/api/session' },
  { method: 'GET', path: (v) => `/api/overview?vhost=${v}` },
  { method: 'GET', path: (v, q) => `/api/queues?vhost=${v}&search=${q}&sort=${q}&page=${q}` },
  { method: 'GET', path: (v, q) => `/api/queues/${v}/${q}?range=${q}` },
  { method: 'GET', path: (v) => `/api/dead-letters?vhost=${v}` },
  { method: 'GET', path: (v, q, id) => `/api/dead-letters/${v}/${q}/messages?search=${id}` },
  { method: 'GET', path: (v, q) => `/api/dead-letters/${v}/${q}/groups` },
  { method: 'GET', path: (v, q) => `/api/dead-letters/${v}/${q}/export` },
  { method: 'POST', path: (v, q) => `/api/dead-letters/${v}/${q}/requeue` },
  { method: 'POST', path: (v, q) => `/api/dead-letters/${v}/${q}/delete` },
  { method: 'POST', path: (v, q) => `/api/dead-letters/${v}/${q}/purge` },
  { method: 'POST', path: (v, q, id) => `/api/dead-letters/${v}/${q}/messages/${id}/retry` },
  { method: 'GET', path: (v, q) => `/api/archive?vhost=${v}&queue=${q}` },
  { method: 'POST', path: () => '/api/archive/restore' },
  { method: 'GET', path: (_v, _q, id) => `/api/operations/${id}` },
  { method: 'GET', path: (_v, _q, id) => `/api/bulk-operations/${id}` },
  { method: 'POST', path: (_v, _q, id) => `/api/bulk-operations/${id}/cancel` },
  { method: 'GET', path: (v) => `/api/alerts?vhost=${v}` },
  { method: 'GET', path: (_v, q) => `/api/audit?limit=${q}&offset=${q}` },
  { method: 'GET', path: () => '/api/audit/verify' },
]

describe('every route, fuzzed', () => {
  let vhost: TestVhost
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  const logs: string[] = []

  beforeAll(async () => {
    vhost = await createTestVhost('fuzz')
    dir = await tempDir()
    warren = createApp(
      // The limit would answer 429 to every later run: it has tests of its own.
      testConfig(dir.path, { WARREN_VHOSTS: vhost.name, WARREN_LOGIN_RATE_LIMIT: '1000000' }),
      { logSink: (line) => logs.push(line) },
    )
  })

  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  const headersOf = (who: string, junk: string): Record<string, string> => {
    if (who === 'operator') return { authorization: `Bearer ${ADMIN_TOKEN}` }
    if (who === 'viewer') return { authorization: `Bearer ${VIEWER_TOKEN}` }
    if (who === 'forged-token') return { authorization: `Bearer ${junk || 'x'}` }
    if (who === 'forged-cookie') return { cookie: `warren_session=${junk}` }
    return {}
  }

  it.each(ROUTES.map((route) => [`${route.method} ${route.path(':v', ':q', ':id')}`, route]))(
    '%s: no 500, refusals as problem+json, no change without the role, secure headers',
    async (_, route) => {
      let answered = 0
      await fc.assert(
        fc.asyncProperty(
          segment,
          segment,
          segment,
          body,
          caller,
          fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
          async (v, q, id, payload, who, junk) => {
            const init: RequestInit = {
              method: route.method,
              headers: {
                ...headersOf(who, junk.replace(/[\r\n;]/g, '')),
                ...(route.method === 'POST' ? { 'content-type': 'application/json' } : {}),
              },
              ...(route.method === 'POST' ? { body: JSON.stringify(payload) } : {}),
            }
            let response: Response
            try {
              response = await warren.app.request(route.path(v, q, id), init)
            } catch {
              // A path `Request` itself refuses (a malformed URL) never reaches the server.
              return
            }
            answered += 1
            expect(response.status).not.toBe(500)
            const csp = response.headers.get('content-security-policy') ?? ''
            expect(csp).toContain("frame-ancestors 'none'")
            expect(/script-src[^;]*unsafe-inline/.test(csp)).toBe(false)
            expect(response.headers.get('x-content-type-options')).toBe('nosniff')
            expect(response.headers.get('referrer-policy')).toBe('no-referrer')
            // `..` segments are resolved by the URL itself: such a path may leave /api (the
            // console's files answer it), and only the API's refusals are problem+json.
            const path = new URL(route.path(v, q, id), 'http://warren.test').pathname
            if (response.status >= 400 && path.startsWith('/api/')) {
              expect(response.headers.get('content-type')).toBe('application/problem+json')
            }
            const changes =
              route.method !== 'GET' && !route.path('', '', '').startsWith('/api/session')
            if (changes && who !== 'operator') expect(response.status).toBeGreaterThanOrEqual(400)
            await response.body?.cancel()
          },
        ),
        { numRuns: RUNS },
      )
      // Most cases reach the server: the property is about its answers, not about `Request`.
      expect(answered).toBeGreaterThan(RUNS / 2)
    },
  )

  it('logged nothing unexpected while fuzzed', () => {
    expect(logs.filter((line) => line.includes('"unexpected error"'))).toEqual([])
  })
})
