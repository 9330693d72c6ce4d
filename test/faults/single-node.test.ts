import { randomBytes } from 'node:crypto'
import amqp from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startFaultProxy } from '../support/fault-proxy.js'
import { startRabbitNode, type RabbitNode } from '../support/rabbit-node.js'
import { expectRecoveredWithoutLoss } from './harness/assertions.js'
import { consumeDeadLetters, type DeadLetter } from './harness/dead-letters.js'
import { startRig } from './harness/rig.js'
import { WORK_QUEUE } from './harness/topology.js'
import { sleep, waitFor } from '@warren/test-kit'

// The CI subset: faults a single throwaway node can show. The shared broker on :5672 is never
// touched; every scenario has a vhost of its own on this node.
let node: RabbitNode
beforeAll(async () => {
  node = await startRabbitNode({ nodeName: `warren-f${randomBytes(4).toString('hex')}@localhost` })
})
afterAll(async () => {
  await node?.stop()
})

describe('single-node faults under load', () => {
  it('close_all_connections: both services reconnect, resend what was unconfirmed, lose nothing', async () => {
    const rig = await startRig({
      scenario: 'close_all_connections',
      admin: node,
      publisherUrls: [node.url],
    })
    try {
      await rig.workload.run(2000)
      await node.ctl('close_all_connections', '-p', rig.vhost, 'fault suite: close_all_connections')
      rig.workload.faultEnded()
      await rig.workload.run(3000)
      const result = await rig.finish()
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(
        expect.arrayContaining(['publisher reconnected', 'consumer reconnected']),
      )
    } finally {
      await rig.close()
    }
  })

  it('stop_app / start_app: publishes wait while the broker is down and are confirmed after it', async () => {
    const rig = await startRig({
      scenario: 'stop_app/start_app',
      admin: node,
      publisherUrls: [node.url],
    })
    try {
      await rig.workload.run(2000)
      await node.stopApp()
      await sleep(2000)
      await node.startApp()
      rig.workload.faultEnded()
      await rig.workload.run(3000)
      const result = await rig.finish()
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(
        expect.arrayContaining(['publisher reconnected', 'consumer reconnected']),
      )
    } finally {
      await rig.close()
    }
  })

  it('proxy reset: connections torn down with RST (and refused for a second) come back without loss', async () => {
    const proxy = await startFaultProxy({ port: node.port })
    const rig = await startRig({
      scenario: 'proxy reset',
      admin: node,
      publisherUrls: [proxy.url()],
    })
    try {
      await rig.workload.run(2000)
      proxy.setMode('reset')
      await sleep(1000)
      proxy.setMode('pass')
      rig.workload.faultEnded()
      await rig.workload.run(3000)
      const result = await rig.finish()
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(
        expect.arrayContaining(['publisher reconnected', 'consumer reconnected']),
      )
    } finally {
      await rig.close()
      await proxy.close()
    }
  })

  it('proxy blackhole: a silent network is detected by heartbeat, and nothing confirmed is lost', async () => {
    const proxy = await startFaultProxy({ port: node.port })
    const rig = await startRig({
      scenario: 'proxy blackhole',
      admin: node,
      publisherUrls: [proxy.url()],
      heartbeat: '1s',
    })
    try {
      await rig.workload.run(2000)
      proxy.setMode('blackhole')
      // No RST, no FIN: only the missing heartbeats tell the services that the broker is gone.
      await waitFor(
        () =>
          rig.events.includes('publisher disconnected') &&
          rig.events.includes('consumer disconnected'),
        'both services to notice the blackhole',
      )
      await sleep(1000)
      proxy.setMode('pass')
      rig.workload.faultEnded()
      await rig.workload.run(3000)
      const result = await rig.finish({ notes: `${proxy.heldBytes} bytes swallowed` })
      expectRecoveredWithoutLoss(result)
      expect(rig.disconnectErrors.length).toBeGreaterThanOrEqual(2)
      for (const message of rig.disconnectErrors) expect(message).toMatch(/heartbeat/i)
    } finally {
      await rig.close()
      await proxy.close()
    }
  })

  it('memory alarm: publishers wait while the broker blocks them, then resume and lose nothing', async () => {
    const rig = await startRig({ scenario: 'memory alarm', admin: node, publisherUrls: [node.url] })
    try {
      await rig.workload.run(2000)
      let liftedAt = 0
      await node.ctl('set_vm_memory_high_watermark', '0.0000001')
      try {
        await waitFor(() => rig.events.includes('publisher blocked'), 'the blocked notification')
        await sleep(3000)
        liftedAt = Date.now()
      } finally {
        await node.ctl('set_vm_memory_high_watermark', '0.4')
      }
      rig.workload.faultEnded()
      await waitFor(() => rig.events.includes('publisher unblocked'), 'the unblocked notification')
      await rig.workload.run(3000)
      const result = await rig.finish()
      expectRecoveredWithoutLoss(result)
      // Publishers waited: a second after the block (what was in flight had its answer by then)
      // nothing was confirmed until the alarm was lifted.
      const blockedAt = rig.lastAt('publisher blocked') as number
      expect(rig.workload.confirmedBetween(blockedAt + 1000, liftedAt)).toBe(0)
    } finally {
      await rig.close()
    }
  })

  it('queue deleted under a consumer: it declares the queue again and consumes what comes after', async () => {
    const rig = await startRig({
      scenario: 'queue deleted',
      admin: node,
      publisherUrls: [node.url],
    })
    const raw = await amqp.connect(rig.urlsFor([node.url])[0] as string)
    try {
      await rig.workload.run(2000)
      const channel = await raw.createChannel()
      const { messageCount } = await channel.deleteQueue(WORK_QUEUE)
      const deletedAt = Date.now()
      rig.workload.faultEnded()
      await waitFor(
        () => rig.events.includes('consumer consumer-resumed'),
        'the consumer to resume',
      )
      await rig.workload.run(3000)
      // What was in the queue when an operator deleted it is gone by their hand, not the SDK's:
      // only messages published before the delete returned may be missing.
      const excused = (id: string) => (rig.workload.publishedAt(id) ?? 0) < deletedAt
      const result = await rig.finish({
        excused,
        notes: () =>
          `${rig.workload.unconsumed().filter(excused).length} published before the delete went with the queue (queue.delete reported ${messageCount})`,
      })
      const excusedCount = rig.workload.unconsumed().filter(excused).length
      expectRecoveredWithoutLoss(result, { allConfirmed: false })
      expect(excusedCount).toBeLessThanOrEqual(messageCount + rig.workload.rate)
      expect(rig.events).toEqual(
        expect.arrayContaining(['consumer consumer-cancelled', 'consumer consumer-resumed']),
      )
    } finally {
      await raw.close().catch(() => {})
      await rig.close()
    }
  })

  it('handler throwing: failures retry and succeed, or end in the DLQ, none lost', async () => {
    // While the fault lasts, every 5th message fails once and every 50th (offset 7) always fails.
    const always = (id: string) => Number(id.split('-').pop()) % 50 === 7
    const once = (id: string) => Number(id.split('-').pop()) % 5 === 0
    const rig = await startRig({
      scenario: 'handler throwing',
      admin: node,
      publisherUrls: [node.url],
      handler: (message) => {
        if (!message.body.faulty) return
        if (always(message.body.id)) throw new Error('fault suite: always fails')
        if (once(message.body.id) && message.attempt === 1) {
          throw new Error('fault suite: fails once')
        }
      },
    })
    const deadLetters: DeadLetter[] = []
    const dlq = await consumeDeadLetters(rig.urlsFor([node.url])[0] as string, (letter) => {
      deadLetters.push(letter)
      rig.workload.consumed(letter.messageId)
    })
    try {
      await rig.workload.run(2000)
      rig.workload.markFaulty(true)
      await rig.workload.run(3000)
      rig.workload.markFaulty(false)
      rig.workload.faultEnded()
      await rig.workload.run(2000)
      const result = await rig.finish({
        notes: `${deadLetters.length} dead-lettered, counted as consumed`,
      })
      expectRecoveredWithoutLoss(result)
      expect(deadLetters.length).toBeGreaterThan(0)
      for (const letter of deadLetters) {
        expect(letter).toEqual({ messageId: letter.messageId, reason: 'max-attempts', attempt: 3 })
        expect(always(letter.messageId)).toBe(true)
      }
    } finally {
      await dlq.close()
      await rig.close()
    }
  })
})
