import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER, createTestVhost, freePort, waitFor, type TestVhost } from '@warren/test-kit'
import { tempDir } from '../test-support/core.js'
import { ALL, createTestUser, type TestUser } from '../test-support/users.js'

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url))
const TOKEN = 'no-secrets-admin-token-0123456789'

/** The broker's URL as `user` with `password`. */
function as(url: string, user: TestUser): string {
  const parsed = new URL(url)
  parsed.username = user.name
  parsed.password = user.password
  return parsed.toString().replace(/\/$/, '')
}

describe('no secret in any output of `pnpm start`', () => {
  let vhost: TestVhost
  let user: TestUser
  let dir: Awaited<ReturnType<typeof tempDir>>

  beforeAll(async () => {
    vhost = await createTestVhost('no-secrets')
    user = await createTestUser('no-secrets', 'administrator', { [vhost.name]: ALL })
    dir = await tempDir()
    await mkdir(join(dir.path, 'ui'), { recursive: true })
    await writeFile(join(dir.path, 'ui', 'index.html'), '<!doctype html><title>Warren</title>')
  })

  afterAll(async () => {
    await user?.remove()
    await vhost?.remove()
    await dir?.remove()
  })

  it('prints the broker, the server and its errors with every password as ***', async () => {
    const port = await freePort()
    const base = `http://127.0.0.1:${port}`
    const child = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        WARREN_DEMO: '0',
        WARREN_PORT: String(port),
        // A dead second node: its connection errors are logged too.
        WARREN_AMQP_URL: `${as(BROKER.amqp, user)},${as('amqp://127.0.0.1:1', user)}`,
        WARREN_MANAGEMENT_URL: BROKER.management,
        WARREN_MANAGEMENT_USER: user.name,
        WARREN_MANAGEMENT_PASSWORD: user.password,
        WARREN_PROMETHEUS_URL: as(BROKER.prometheus, user),
        WARREN_ADMIN_TOKEN: TOKEN,
        WARREN_VHOSTS: vhost.name,
        WARREN_DATA_DIR: dir.path,
        WARREN_UI_DIR: join(dir.path, 'ui'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const output: string[] = []
    child.stdout.on('data', (data: Buffer) => output.push(data.toString()))
    child.stderr.on('data', (data: Buffer) => output.push(data.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    const bodies: string[] = []
    try {
      await waitFor(
        async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok === true,
        'pnpm start to serve the admin API',
        45_000,
      )
      const bearer = { authorization: `Bearer ${TOKEN}` }
      for (const [path, init] of [
        ['/api/health', {}],
        ['/api/health', { headers: bearer }],
        ['/api/overview', { headers: bearer }],
        [`/api/queues?vhost=${vhost.encoded}`, { headers: bearer }],
        [`/api/dead-letters/${vhost.encoded}/missing.dlq/messages?limit=1`, { headers: bearer }],
        [
          '/api/session',
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ token: user.password }),
          },
        ],
      ] as const) {
        bodies.push(await (await fetch(`${base}${path}`, init)).text())
      }
    } finally {
      child.kill('SIGTERM')
      await exited
    }
    const printed = output.join('')
    expect(printed).toContain(`[broker] RabbitMQ ready at amqp://${user.name}:***@`)
    const everything = [printed, ...bodies].join('\n')
    const basic = Buffer.from(`${user.name}:${user.password}`).toString('base64')
    for (const secret of [user.password, encodeURIComponent(user.password), basic, TOKEN]) {
      expect(everything).not.toContain(secret)
    }
  })
})
