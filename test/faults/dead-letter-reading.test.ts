import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRabbitNode, type RabbitNode } from '../support/rabbit-node.js'
import { recordResult } from './harness/report.js'
import { sleep, waitFor } from './harness/wait.js'

// Looking never costs a dead letter, even when the admin API dies while it looks: a quorum DLQ
// under a delivery limit of 5 (a vhost policy) on a node of its own, read by re-seating, with
// the admin API killed with SIGKILL in the middle of three readings. Every dead letter is still
// there afterwards; a copy confirmed just before the kill may be there twice (counted).

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'packages/admin-api/src/main.ts')
const TOKEN = 'fault-suite-admin-token-0123456789'
const DLQ = 'refund.poison'
const COUNT = 3000

let node: RabbitNode
beforeAll(async () => {
  node = await startRabbitNode({
    nodeName: `warren-f${randomBytes(4).toString('hex')}@localhost`,
    plugins: ['rabbitmq_management'],
  })
})
afterAll(async () => {
  await node?.stop()
})

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

const children = new Set<ChildProcess>()

/** Resolves once `child` has exited, also when it already has. */
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', resolve))

/** The admin API in a process of its own, so that it can be killed mid-reading. */
async function startAdminApi(vhost: string, dataDir: string, port: number) {
  // The admin API's own process, not a tsx wrapper around it: SIGKILL must reach it, or a
  // wrapper's orphan would go on reading (and writing its data folder) after the kill.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    // `tsx` resolves from the test package.
    cwd: join(ROOT, 'test'),
    env: {
      ...process.env,
      WARREN_AMQP_URL: node.url,
      WARREN_MANAGEMENT_URL: node.managementUrl,
      WARREN_VHOSTS: vhost,
      WARREN_ADMIN_TOKEN: TOKEN,
      WARREN_PORT: String(port),
      WARREN_DATA_DIR: dataDir,
      WARREN_DISCOVERY_CACHE: '0ms',
      // Fed by nothing Warren can see: the operator names it a dead-letter queue.
      WARREN_DEAD_LETTER_QUEUES: DLQ,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  child.stdout?.resume()
  child.stderr?.resume()
  const base = `http://127.0.0.1:${port}`
  await waitFor(
    async () => (await fetch(`${base}/api/health`).catch(() => null))?.ok === true,
    'the admin API to answer',
    30_000,
  )
  return { child, base }
}

describe('the admin API killed while it reads a quorum DLQ under a delivery limit', () => {
  it('SIGKILL mid-reading, three times: every dead letter is still in the queue', async () => {
    const vhost = `faults-reading-${randomBytes(3).toString('hex')}`
    await node.ctl('add_vhost', vhost)
    await node.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
    await node.ctl(
      'set_policy',
      '-p',
      vhost,
      'delivery-limit',
      '.*',
      '{"delivery-limit":5}',
      '--apply-to',
      'queues',
    )
    const url = `${node.url}/${encodeURIComponent(vhost)}`
    const connection = await amqp.connect(url)
    const channel = await connection.createConfirmChannel()
    await channel.assertQueue(DLQ, { durable: true, arguments: { 'x-queue-type': 'quorum' } })
    for (let i = 0; i < COUNT; i++) {
      channel.sendToQueue(DLQ, Buffer.from(JSON.stringify({ refund: i })), {
        messageId: `refund-${i}`,
        persistent: true,
        headers: { 'x-first-death-reason': 'rejected', 'x-first-death-queue': 'refund' },
      })
    }
    await channel.waitForConfirms()

    const dataDir = await mkdtemp(join(tmpdir(), 'warren-faults-api-'))
    const port = await freePort()
    const browse = (base: string) =>
      fetch(`${base}/api/dead-letters/${encodeURIComponent(vhost)}/${DLQ}/messages?limit=10`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      })
    let recoveryMs = 0
    try {
      for (let kill = 0; kill < 3; kill++) {
        const api = await startAdminApi(vhost, dataDir, port)
        const reading = browse(api.base).catch(() => null)
        // Let the reading get under way (re-seating 3,000 messages takes longer than this).
        await sleep(400 + kill * 150)
        const killedAt = Date.now()
        api.child.kill('SIGKILL')
        await reading
        await exited(api.child)
        const again = await startAdminApi(vhost, dataDir, port)
        const answer = await browse(again.base)
        expect(answer.status).toBe(200)
        recoveryMs = Math.max(recoveryMs, Date.now() - killedAt)
        again.child.kill('SIGTERM')
        await exited(again.child)
      }

      // Count what the queue holds, by draining it with plain amqplib.
      const seen = new Map<string, number>()
      let maxDeliveryCount = 0
      await channel.prefetch(500)
      await channel.consume(DLQ, (message) => {
        if (!message) return
        const id = String(message.properties.messageId)
        seen.set(id, (seen.get(id) ?? 0) + 1)
        const count = Number(message.properties.headers?.['x-delivery-count'] ?? 0)
        maxDeliveryCount = Math.max(maxDeliveryCount, count)
        channel.ack(message)
      })
      await waitFor(
        async () => (await channel.checkQueue(DLQ)).messageCount === 0,
        'the DLQ to drain',
        30_000,
      )
      await sleep(500)
      const unique = seen.size
      const total = [...seen.values()].reduce((a, b) => a + b, 0)
      const lost = Array.from({ length: COUNT }, (_, i) => `refund-${i}`).filter(
        (id) => !seen.has(id),
      )
      recordResult(
        {
          scenario: 'admin API SIGKILL while re-seating a limited quorum DLQ',
          published: COUNT,
          confirmed: COUNT,
          consumedUnique: unique,
          lost: lost.length,
          duplicates: total - unique,
          recoveryMs,
          maxStallMs: 0,
        },
        `delivery limit 5; highest x-delivery-count after 3 kills: ${maxDeliveryCount}`,
      )
      expect(lost).toEqual([])
      expect(maxDeliveryCount).toBeLessThan(5)
    } finally {
      for (const child of children) {
        child.kill('SIGKILL')
        await exited(child)
      }
      await connection.close().catch(() => {})
      await rm(dataDir, { recursive: true, force: true })
      await node.ctl('delete_vhost', vhost)
    }
  })
})
