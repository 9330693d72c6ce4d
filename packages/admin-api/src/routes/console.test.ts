import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../app.js'
import { tempDir, testConfig } from '../test-support/core.js'

describe('serving the console', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    dir = await tempDir()
    await mkdir(join(dir.path, 'ui', 'assets'), { recursive: true })
    await writeFile(join(dir.path, 'ui', 'index.html'), '<!doctype html><title>Warren</title>')
    await writeFile(join(dir.path, 'ui', 'assets', 'app.js'), 'console.log(1)')
    await writeFile(join(dir.path, 'secret.txt'), 'outside the console')
  })
  afterAll(async () => {
    await dir.remove()
  })

  it('serves built files and falls back to index.html for client-side routes', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const asset = await warren.app.request('/assets/app.js')
      expect(asset.status).toBe(200)
      expect(asset.headers.get('content-type')).toContain('text/javascript')
      expect(await asset.text()).toBe('console.log(1)')
      const route = await warren.app.request('/dead-letters/%2F/orders.dlq')
      expect(route.status).toBe(200)
      expect(await route.text()).toContain('<title>Warren</title>')
    } finally {
      await warren.close()
    }
  })

  it('never serves a file outside the console directory', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      for (const path of [
        '/%2E%2E/secret.txt',
        '/assets/..%2F..%2Fsecret.txt',
        '/..%5Csecret.txt',
      ]) {
        const response = await warren.app.request(path)
        const text = await response.text()
        expect(text).not.toContain('outside the console')
        expect(text).toContain('<title>Warren</title>')
      }
    } finally {
      await warren.close()
    }
  })

  it('answers unknown /api paths with a 404 problem, not the console page', async () => {
    const warren = createApp(testConfig(dir.path))
    try {
      const response = await warren.app.request('/api/nothing-here', {
        headers: { authorization: 'Bearer test-admin-token-0123456789' },
      })
      expect(response.status).toBe(404)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
    } finally {
      await warren.close()
    }
  })

  it('says clearly when the console is not built', async () => {
    const warren = createApp(testConfig(dir.path, { WARREN_UI_DIR: join(dir.path, 'missing') }))
    try {
      const response = await warren.app.request('/')
      expect(response.status).toBe(503)
      expect(await response.text()).toContain('pnpm --filter @warren/admin-ui build')
    } finally {
      await warren.close()
    }
  })
})
