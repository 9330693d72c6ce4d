import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRabbitNode, type RabbitNode } from '../support/rabbit-node.js'
import {
  freePort,
  killAdminApis,
  sleep,
  startAdminApi,
  waitFor,
  type AdminApiProcess,
} from '@warren/test-kit'
import { recordResult } from './harness/report.js'

// Looking never costs a dead letter, even when the admin API dies while it looks: a quorum DLQ
// under a delivery limit of 5 (a vhost policy) on a node of its own, read by re-seating, with
// the admin API killed with SIGKILL in the middle of three readings. Every dead letter is still
// there afterwards; a copy confirmed just before the kill may be there twice (counted).

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
    const start = () =>
      startAdminApi({
        amqpUrl: node.url,
        managementUrl: node.managementUrl as string,
        vhosts: [vhost],
        dataDir,
        port,
        // Fed by nothing Warren can see: the operator names it a dead-letter queue. Read live:
        // this scenario is about a reading, not the store's intake.
        env: {
          WARREN_DEAD_LETTER_QUEUES: DLQ,
          WARREN_LIVE_DEAD_LETTERS: encodeURIComponent(vhost),
        },
        echo: Boolean(process.env.WARREN_FAULTS_LOG),
      })
    const browse = (api: AdminApiProcess) =>
      api.request(`/api/dead-letters/${encodeURIComponent(vhost)}/${DLQ}/messages?limit=10`)
    let recoveryMs = 0
    try {
      for (let kill = 0; kill < 3; kill++) {
        const api = await start()
        const reading = browse(api).catch(() => null)
        // Let the reading get under way (re-seating 3,000 messages takes longer than this).
        await sleep(400 + kill * 150)
        const killedAt = Date.now()
        await api.kill()
        await reading
        const again = await start()
        const answer = await browse(again)
        expect(answer.status).toBe(200)
        recoveryMs = Math.max(recoveryMs, Date.now() - killedAt)
        await again.stop()
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
      await killAdminApis()
      await connection.close().catch(() => {})
      await rm(dataDir, { recursive: true, force: true })
      await node.ctl('delete_vhost', vhost)
    }
  })
})
