import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'
import { startServer, type RunningServer } from './server.js'
import { NO_VHOST, tempDir } from './test-support/core.js'

describe('startServer', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let server: RunningServer
  beforeAll(async () => {
    dir = await tempDir()
    server = await startServer(
      loadConfig({
        WARREN_PORT: '0',
        WARREN_DATA_DIR: dir.path,
        WARREN_UI_DIR: dir.path,
        WARREN_VHOSTS: NO_VHOST,
        WARREN_ALERT_INTERVAL: '1h',
      }),
      { logSink: () => {} },
    )
  })
  afterAll(async () => {
    try {
      await server?.close()
    } finally {
      await dir?.remove()
    }
  })

  it('makes a token when none is configured and puts it into the login link', async () => {
    expect(server.loginUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[\w-]{32}$/)
    const token = server.loginUrl.split('#token=')[1] ?? ''
    const response = await fetch(`${server.url}api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    })
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ role: 'operator' })
  })

  it('limits failed logins per client address over real HTTP', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const response = await fetch(`${server.url}api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: 'guess-guess-guess' }),
      })
      statuses.push(response.status)
      await response.body?.cancel()
    }
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429])
  })
})
