import { mkdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type WarrenApp } from '../app.js'
import { tempDir, testConfig } from '../test-support/core.js'
import { chooseEncoding } from './console-files.js'

const ASSET = '/assets/index-Bx7kQ2aZ.js'
const IMMUTABLE = 'public, max-age=31536000, immutable'

describe('the console served compressed and cached', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  const ui = (path: string) => join(dir.path, 'ui', path)
  const get = async (path: string, acceptEncoding?: string) => {
    const response = await warren.app.request(
      path,
      acceptEncoding === undefined ? {} : { headers: { 'accept-encoding': acceptEncoding } },
    )
    expect(response.status).toBe(200)
    return { headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }
  }

  beforeAll(async () => {
    dir = await tempDir()
    await mkdir(ui('assets'), { recursive: true })
    await writeFile(ui('index.html'), `<!doctype html><title>Warren</title><script src="${ASSET}">`)
    const lines = Array.from({ length: 2000 }, (_, i) => `export const row${i} = 'queue ${i}'`)
    await writeFile(ui(ASSET), lines.join('\n'))
    await writeFile(ui('assets/logo-D3adB33f.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]))
    warren = createApp(testConfig(dir.path))
  })
  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await dir?.remove()
    }
  })

  it('sends a hashed asset brotli-compressed to a browser, cached for a year', async () => {
    const { headers, body } = await get(ASSET, 'gzip, deflate, br, zstd')
    expect(headers.get('content-encoding')).toBe('br')
    expect(headers.get('cache-control')).toBe(IMMUTABLE)
    expect(headers.get('vary')).toBe('accept-encoding')
    expect(headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    const file = await readFile(ui(ASSET))
    expect(brotliDecompressSync(body).equals(file)).toBe(true)
    expect(body.length).toBeLessThan(file.length / 4)
  })

  it('sends gzip to a client without brotli, and the file as it is to one without either', async () => {
    const file = await readFile(ui(ASSET))
    const gzipped = await get(ASSET, 'gzip, br;q=0')
    expect(gzipped.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(gzipped.body).equals(file)).toBe(true)
    const plain = await get(ASSET)
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(plain.headers.get('vary')).toBe('accept-encoding')
    expect(plain.body.equals(file)).toBe(true)
  })

  it('has the page revalidated on every load, compressed too', async () => {
    for (const path of ['/', '/dead-letters/%2F/orders.dlq', '/assets/index-Gone0000.js']) {
      const { headers, body } = await get(path, 'br')
      expect(headers.get('cache-control')).toBe('no-cache')
      expect(headers.get('content-encoding')).toBe('br')
      expect(brotliDecompressSync(body).toString()).toBe(await readFile(ui('index.html'), 'utf8'))
    }
  })

  it('sends images as they are', async () => {
    const { headers, body } = await get('/assets/logo-D3adB33f.png', 'br')
    expect(headers.get('content-encoding')).toBeNull()
    expect(headers.get('cache-control')).toBe(IMMUTABLE)
    expect(body.equals(await readFile(ui('assets/logo-D3adB33f.png')))).toBe(true)
  })

  it('serves a rebuilt file, not the compression of the old one', async () => {
    await get('/', 'br')
    await writeFile(ui('index.html'), '<!doctype html><title>Warren, rebuilt</title>')
    const later = new Date(Date.now() + 5_000)
    await utimes(ui('index.html'), later, later)
    const { body } = await get('/', 'br')
    expect(brotliDecompressSync(body).toString()).toBe(
      '<!doctype html><title>Warren, rebuilt</title>',
    )
  })
})

describe('chooseEncoding', () => {
  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['*', 'br'],
    ['*;q=0, identity', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('answers %j with %s', (accept, expected) => {
    expect(chooseEncoding(accept)).toBe(expected)
  })
})
