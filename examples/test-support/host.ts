// What the examples' tests share: a vhost of the test file's own with one queue, a console
// directory laid out as Vite builds it, Warren's configuration pointing at both, and the checks
// that the console is served under the host's prefix.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig, type Config } from '@warren/admin-api'
import { BROKER, createTestVhost, freePort, type TestVhost } from '@warren/test-kit'
import { expect } from 'vitest'

export const QUEUE = 'orders.created'
export const ADMIN_TOKEN = 'examples-admin-token-0123456789'
export const ASSET = 'assets/index-Bx7kQ2aZ.js'
export const ASSET_TEXT = 'document.title = "Warren console"\n'

const INDEX = `<!doctype html>
<html lang="en">
  <head>
    <title>Warren console</title>
    <script type="module" crossorigin src="/${ASSET}"></script>
  </head>
  <body><div id="root"></div></body>
</html>
`

export interface HostUnderTest {
  vhost: TestVhost
  config: Config
  port: number
  remove(): Promise<void>
}

export async function hostUnderTest(name: string): Promise<HostUnderTest> {
  const vhost = await createTestVhost(`examples-${name}`)
  const dir = await mkdtemp(join(tmpdir(), 'warren-examples-'))
  try {
    await vhost.withChannel(async (channel) => {
      await channel.assertQueue(QUEUE, { durable: true })
    })
    await mkdir(join(dir, 'ui', 'assets'), { recursive: true })
    await writeFile(join(dir, 'ui', 'index.html'), INDEX)
    await writeFile(join(dir, 'ui', ASSET), ASSET_TEXT)
    const config = loadConfig({
      WARREN_AMQP_URL: BROKER.amqp,
      WARREN_MANAGEMENT_URL: BROKER.management,
      WARREN_PROMETHEUS_URL: BROKER.prometheus,
      WARREN_MANAGEMENT_USER: BROKER.user,
      WARREN_MANAGEMENT_PASSWORD: BROKER.password,
      WARREN_VHOSTS: vhost.name,
      WARREN_ADMIN_TOKEN: ADMIN_TOKEN,
      WARREN_ALERT_INTERVAL: '1h',
      WARREN_DATA_DIR: dir,
      WARREN_UI_DIR: join(dir, 'ui'),
      WARREN_DEAD_LETTER_STORE: 'off',
    })
    return {
      vhost,
      config,
      port: await freePort(),
      async remove() {
        await rm(dir, { recursive: true, force: true })
        await vhost.remove()
      },
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    await vhost.remove()
    throw error
  }
}

/** The queue names `GET <console>api/queues` lists for the test's vhost. */
export async function listedQueues(
  consoleUrl: string,
  headers: Record<string, string>,
): Promise<string[]> {
  const response = await fetch(`${consoleUrl}api/queues`, { headers })
  expect(response.status).toBe(200)
  const list = (await response.json()) as { items: { vhost: string; name: string }[] }
  return list.items.map((queue) => queue.name)
}

/** The console's page under the prefix points at its assets there, and they are served. */
export async function expectConsoleUnder(
  consoleUrl: string,
  headers: Record<string, string>,
): Promise<void> {
  const prefix = new URL(consoleUrl).pathname
  const page = await fetch(`${consoleUrl}dead-letters`, { headers })
  expect(page.status).toBe(200)
  const html = await page.text()
  expect(html).toContain(`<base href="${prefix}" />`)
  expect(html).toContain(`src="${prefix}${ASSET}"`)
  const asset = await fetch(new URL(`${prefix}${ASSET}`, consoleUrl), { headers })
  expect(asset.status).toBe(200)
  expect(asset.headers.get('content-type')).toContain('text/javascript')
  expect(await asset.text()).toBe(ASSET_TEXT)
}
