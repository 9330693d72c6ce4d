import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPartitionCluster, type PartitionCluster } from '../support/partition-cluster.js'
import type { RabbitNode } from '../support/rabbit-node.js'
import { expectRecoveredWithoutLoss } from './harness/assertions.js'
import { startRig } from './harness/rig.js'
import { WORK_QUEUE } from './harness/topology.js'
import { waitFor } from '@warren/test-kit'

// A real network partition (full suite, RabbitMQ 4.3 only: the namespaced nodes are chrooted 4.3
// nodes of scripts/rabbitmq.mjs; the machine's 3.10 binaries have no such backend). Each node of a
// 3-node cluster sits in a network namespace of its own; the minority node's link goes down, so
// neither its peers nor its clients hear from it, and comes back up later.
const on43 = process.env.WARREN_FAULTS_BROKER === '4.3'
let cluster: PartitionCluster
let n1: RabbitNode
let n2: RabbitNode
let n3: RabbitNode
beforeAll(async () => {
  if (!on43) return
  cluster = await startPartitionCluster({ prefix: `warren-f${randomBytes(3).toString('hex')}-` })
  ;[n1, n2, n3] = cluster.nodes as [RabbitNode, RabbitNode, RabbitNode]
}, 300_000)
afterAll(async () => {
  await cluster?.stop()
})

describe.runIf(on43)('network partition of a 3-node 4.3 cluster', () => {
  it('the minority node (queue leader, both services on it) is cut off: the services move to the majority, none lost, the node rejoins', async () => {
    // Declared through n3 so the quorum leader is on the node that goes away too.
    const rig = await startRig({
      scenario: 'partition: minority node cut off',
      admin: cluster,
      declareVia: n3.url,
      publisherUrls: [n3.url, n1.url, n2.url],
      consumerUrls: [n3.url, n2.url, n1.url],
      // A cut link sends nothing, not even a reset: only missed heartbeats tell the services.
      heartbeat: '2s',
    })
    let cut = false
    try {
      expect((await cluster.leaderOf(rig.vhost, WORK_QUEUE)).name).toBe(n3.name)
      await rig.workload.run(2000)
      await cluster.cut(n3)
      cut = true
      const cutAt = Date.now()
      // Measured from the cut: the majority can serve at once.
      rig.workload.faultEnded()
      await waitFor(
        () =>
          rig.events.includes('publisher reconnected') &&
          rig.events.includes('consumer reconnected'),
        'both services to reconnect to the majority',
      )
      // The majority's own view (ctl asks n1 first): n3 is gone and the queue has a new leader.
      await waitFor(
        async () => !(await cluster.runningNodes().catch(() => [n3.name])).includes(n3.name),
        'the majority to count n3 down',
      )
      const seenDownMs = Date.now() - cutAt
      await waitFor(
        async () => (await cluster.leaderOf(rig.vhost, WORK_QUEUE).catch(() => n3)) !== n3,
        'a leader in the majority',
      )
      const newLeader = (await cluster.leaderOf(rig.vhost, WORK_QUEUE)).name
      await rig.workload.run(3000)

      await cluster.heal(n3)
      cut = false
      const healedAt = Date.now()
      await cluster.waitForRunning(3, 180_000)
      const rejoinedMs = Date.now() - healedAt
      await rig.workload.run(2000)
      const since = (event: string) => {
        const at = rig.lastAt(event)
        return at === undefined ? 'never' : `${at - cutAt} ms`
      }
      const result = await rig.finish({
        notes: `services on the majority after ${since('publisher reconnected')} / ${since('consumer reconnected')}; majority counted n3 down after ${seenDownMs} ms; new leader ${newLeader}; n3 back in the cluster ${rejoinedMs} ms after the link came up`,
      })
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(
        expect.arrayContaining(['publisher disconnected', 'consumer disconnected']),
      )
    } finally {
      await rig.close()
      if (cut) await cluster.heal(n3)
    }
  })
})
