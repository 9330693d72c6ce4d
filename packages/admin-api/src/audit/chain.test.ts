import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { startServer, type RunningServer } from '../server.js'
import { ADMIN_TOKEN, json, tempDir, testConfig } from '../test-support/core.js'
import type { ChainedEntry } from './chain.js'

const run = promisify(execFile)
const PACKAGE = fileURLToPath(new URL('../..', import.meta.url))

describe('the audit log: who, from where, what, and a chain nobody edits unseen', () => {
  let vhost: TestVhost
  let dir: Awaited<ReturnType<typeof tempDir>>
  let server: RunningServer
  const file = () => `${dir.path}/audit.jsonl`

  beforeAll(async () => {
    vhost = await createTestVhost('audit-chain')
    dir = await tempDir()
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue('orders', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'orders.dlq' },
      })
      await ch.assertQueue('orders.dlq', { durable: true })
    })
    server = await startServer(
      testConfig(dir.path, {
        WARREN_VHOSTS: vhost.name,
        WARREN_PORT: '0',
        WARREN_ADMIN_TOKEN_NAME: 'ci-deploy',
      }),
      { logSink: () => {} },
    )
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${server.url}${path.slice(1)}`, init)
    await call('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: 'not-the-token' }),
    })
    await call(`/api/dead-letters/${vhost.encoded}/orders.dlq/requeue`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({ all: true }),
    })
    await call('/api/session', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    })
  })

  afterAll(async () => {
    try {
      await server?.close()
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  const verify = async () =>
    (
      await fetch(`${server.url}api/audit/verify`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      })
    ).json()
  const cli = () =>
    run(process.execPath, ['--import', 'tsx', 'src/audit/verify-cli.ts', file()], {
      cwd: PACKAGE,
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    )

  it('names the token, its role, the source address, the operation, its target and counts', async () => {
    const lines = (await readFile(file(), 'utf8')).trim().split('\n')
    const entries = lines.map((line) => JSON.parse(line) as ChainedEntry)
    expect(entries.map((e) => [e.actor.name, e.action, e.outcome])).toEqual([
      ['anonymous', 'login', 'failure'],
      ['ci-deploy', 'requeue', 'success'],
      ['ci-deploy', 'login', 'success'],
    ])
    expect(entries[1]).toMatchObject({
      actor: { name: 'ci-deploy', role: 'operator', from: '127.0.0.1' },
      target: `/${vhost.encoded}/orders.dlq`,
      counts: { requeued: 0 },
    })
    expect(entries[0]?.actor.from).toBe('127.0.0.1')
    expect(entries[1]?.prev).toBe(entries[0]?.hash)
  })

  it('reports an intact chain, through the API and the CLI', async () => {
    expect(await verify()).toEqual({ ok: true, entries: 3, unchained: 0 })
    expect(await cli()).toEqual({
      code: 0,
      stdout: 'intact: 3 entries (0 from before the chain)\n',
    })
  })

  it('reports an edited line, and the next one when the forger fixed its hash', async () => {
    const original = await readFile(file(), 'utf8')
    const lines = original.trimEnd().split('\n')
    const forged = { ...(JSON.parse(lines[1] as string) as ChainedEntry), outcome: 'failure' }
    lines[1] = JSON.stringify(forged)
    await writeFile(file(), `${lines.join('\n')}\n`)
    expect(await verify()).toMatchObject({
      ok: false,
      firstBroken: { line: 2, id: forged.id, reason: 'its content does not match its hash' },
    })
    expect(await cli()).toEqual({
      code: 1,
      stdout: `broken at line 2 (entry ${forged.id}): its content does not match its hash\n`,
    })

    const { hash: _hash, ...rest } = forged
    const rehashed = createHash('sha256').update(JSON.stringify(rest)).digest('hex')
    lines[1] = JSON.stringify({ ...rest, hash: rehashed })
    await writeFile(file(), `${lines.join('\n')}\n`)
    expect(await verify()).toMatchObject({
      ok: false,
      firstBroken: { line: 3, reason: 'does not follow the line before it' },
    })
    await writeFile(file(), original)
    expect(await verify()).toMatchObject({ ok: true })
  })
})
