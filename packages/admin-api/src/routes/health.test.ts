import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER } from '@warren/test-kit'
import { createApp } from '../app.js'
import { operator, spyFetch, tempDir, testConfig } from '../test-support/core.js'
import { HEALTH_CACHE_MS } from './health.js'

describe('GET /api/health', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(async () => {
    await dir.remove()
  })

  it('reports both BROKER.amqp and the management API up, without a token', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/health')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ok', amqp: 'up', management: 'up' })
    } finally {
      await warren.close()
    }
  })

  it('names the management API that answered only to a caller with a token', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/health', { headers: operator })
      expect(await response.json()).toEqual({
        status: 'ok',
        amqp: 'up',
        management: 'up',
        managementUrl: BROKER.management,
      })
    } finally {
      await warren.close()
    }
  })

  it('answers 503 degraded when the management API and BROKER.amqp are unreachable', async () => {
    const warren = createApp(
      testConfig(dir.path, {
        WARREN_MANAGEMENT_URL: 'http://127.0.0.1:1',
        WARREN_AMQP_URL: 'amqp://guest:guest@127.0.0.1:1',
      }),
    )
    try {
      const response = await warren.app.request('/api/health')
      expect(response.status).toBe(503)
      expect(await response.json()).toEqual({
        status: 'degraded',
        amqp: 'down',
        management: 'down',
      })
    } finally {
      await warren.close()
    }
  })

  it('answers the polls of two seconds from one reading of the management API', async () => {
    const clock = { now: Date.now() }
    const spy = spyFetch()
    const warren = createApp(testConfig(dir.path), { fetch: spy.fetch, now: () => clock.now })
    const overviewCalls = () => spy.paths.filter((path) => path === '/api/overview').length
    try {
      const polls = await Promise.all([1, 2, 3].map(() => warren.app.request('/api/health')))
      clock.now += HEALTH_CACHE_MS - 1
      const cached = await warren.app.request('/api/health')
      const callsWithinTheCache = overviewCalls()
      clock.now += 1
      const fresh = await warren.app.request('/api/health')

      expect([...polls, cached, fresh].map((response) => response.status)).toEqual([
        200, 200, 200, 200, 200,
      ])
      expect(await fresh.json()).toMatchObject({ status: 'ok', amqp: 'up', management: 'up' })
      expect(callsWithinTheCache).toBe(1)
      expect(overviewCalls()).toBe(2)
    } finally {
      await warren.close()
    }
  })
})
