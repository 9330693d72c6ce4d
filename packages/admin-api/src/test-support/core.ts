// Test helpers of the core admin API tests: a vhost per test file on the shared broker, a config
// pointing at it, and a spy on the management client's fetch.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type Channel, type ChannelModel } from 'amqplib'
import { createApp, type WarrenApp } from '../app.js'
import { loadConfig, type Config } from '../config.js'

export const MANAGEMENT = 'http://127.0.0.1:15672'
export const AMQP = 'amqp://guest:guest@127.0.0.1:5672'
export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const VIEWER_TOKEN = 'test-viewer-token-0123456789'
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`

export async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${MANAGEMENT}${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
  return response
}

/** A fresh vhost for one test file; `remove` deletes it with everything in it. */
export async function createVhost(prefix: string) {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}`
  const encoded = encodeURIComponent(name)
  await management('PUT', `/api/vhosts/${encoded}`)
  await management('PUT', `/api/permissions/${encoded}/guest`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  })
  return {
    name,
    encoded,
    url: `${AMQP}/${encoded}`,
    remove: () => management('DELETE', `/api/vhosts/${encoded}`).then(() => undefined),
  }
}

/** Opens a plain amqplib channel on the vhost, runs `use`, and closes the connection. */
export async function withChannel<T>(url: string, use: (ch: Channel) => Promise<T>): Promise<T> {
  const connection: ChannelModel = await connect(url)
  try {
    const channel = await connection.createChannel()
    return await use(channel)
  } finally {
    await connection.close()
  }
}

/** A temporary data directory for the audit log. */
export async function tempDir() {
  const path = await mkdtemp(join(tmpdir(), 'warren-api-'))
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

/**
 * A vhost that no test creates: the scope of apps whose test has no vhost of its own, so that
 * they never read, count or peek at another test file's queues.
 */
export const NO_VHOST = 'warren-test-no-such-vhost'

/**
 * The config of a test's app: scoped to `WARREN_VHOSTS` (the test's own vhost; none by default),
 * and with an alert interval no test run reaches, so alerts are evaluated only when the test
 * asks (`GET /api/alerts`, `alerts.evaluate()`).
 */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    WARREN_VHOSTS: NO_VHOST,
    WARREN_ALERT_INTERVAL: '1h',
    WARREN_ADMIN_TOKEN: ADMIN_TOKEN,
    WARREN_VIEWER_TOKEN: VIEWER_TOKEN,
    WARREN_DATA_DIR: dataDir,
    WARREN_UI_DIR: join(dataDir, 'ui'),
    WARREN_DISCOVERY_CACHE: '0ms',
    ...env,
  })
}

export const operator = { authorization: `Bearer ${ADMIN_TOKEN}` }
export const viewer = { authorization: `Bearer ${VIEWER_TOKEN}` }
export const json = { 'content-type': 'application/json' }

/** A fetch that records every management path it is asked for. */
export function spyFetch() {
  const paths: string[] = []
  const spy: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    paths.push(new URL(url).pathname + new URL(url).search)
    return fetch(input, init)
  }
  return { fetch: spy, paths }
}

/**
 * Polls `check` until it returns a value. Only for what the management API's statistics report
 * (collected every 5 s, later on a busy machine); the bound is generous because it is a limit on
 * waiting, never a claim about speed.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export type TestVhost = Awaited<ReturnType<typeof createVhost>>

/**
 * A vhost and a data folder of the test file's own, seeded by `seed`, and an admin API watching
 * only that vhost. `remove` closes the app, then deletes the vhost and the folder.
 */
export async function scopedTestApp(prefix: string, seed: (vhost: TestVhost) => Promise<void>) {
  const vhost = await createVhost(prefix)
  const dir = await tempDir()
  let warren: WarrenApp | undefined
  const remove = async () => {
    try {
      await warren?.close()
    } finally {
      await vhost.remove()
      await dir.remove()
    }
  }
  try {
    await seed(vhost)
    warren = createApp(testConfig(dir.path, { WARREN_VHOSTS: vhost.name }))
  } catch (error) {
    await remove()
    throw error
  }
  return { vhost, warren, remove }
}
