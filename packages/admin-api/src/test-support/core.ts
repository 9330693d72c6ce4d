// Test helpers of the core admin API tests: a config pointing at the broker under test (the test
// kit's, from the environment), apps scoped to a vhost of the test's own, and a spy on the
// management client's fetch.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BROKER, createTestVhost, type TestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { loadConfig, type Config } from '../config.js'

export const ADMIN_TOKEN = 'test-admin-token-0123456789'
export const VIEWER_TOKEN = 'test-viewer-token-0123456789'

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
 * The config of a test's app: on the broker under test, scoped to `WARREN_VHOSTS` (the test's own
 * vhost; none by default), and with an alert interval no test run reaches, so alerts are evaluated
 * only when the test asks (`GET /api/alerts`, `alerts.evaluate()`).
 */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    WARREN_AMQP_URL: BROKER.amqp,
    WARREN_MANAGEMENT_URL: BROKER.management,
    WARREN_PROMETHEUS_URL: BROKER.prometheus,
    WARREN_MANAGEMENT_USER: BROKER.user,
    WARREN_MANAGEMENT_PASSWORD: BROKER.password,
    WARREN_VHOSTS: NO_VHOST,
    WARREN_ALERT_INTERVAL: '1h',
    WARREN_ADMIN_TOKEN: ADMIN_TOKEN,
    WARREN_VIEWER_TOKEN: VIEWER_TOKEN,
    WARREN_DATA_DIR: dataDir,
    WARREN_UI_DIR: join(dataDir, 'ui'),
    WARREN_DISCOVERY_CACHE: '0ms',
    // The live reading unless a test takes the store (its own tests choose one).
    WARREN_DEAD_LETTER_STORE: 'off',
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

/**
 * A vhost and a data folder of the test file's own, seeded by `seed`, and an admin API watching
 * only that vhost. `remove` closes the app, then deletes the vhost and the folder.
 */
export async function scopedTestApp(prefix: string, seed: (vhost: TestVhost) => Promise<void>) {
  const vhost = await createTestVhost(prefix)
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
