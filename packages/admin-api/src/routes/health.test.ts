import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { tempDir, testConfig } from '../test-support/core.js'

describe('GET /api/health', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
  })
  afterAll(async () => {
    await dir.remove()
  })

  it('reports both AMQP and the management API up, without a token', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/health')
      expect(response.status).toBe(200)
      expect(await response.json()).toEqual({ status: 'ok', amqp: 'up', management: 'up' })
    } finally {
      await warren.close()
    }
  })

  it('answers 503 degraded when the management API and AMQP are unreachable', async () => {
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
})
