import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createApp, loadConfig } from '@warren/admin-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startCluster, type RabbitCluster } from '../support/cluster.js'
import type { RabbitNode } from '../support/rabbit-node.js'
import { expectRecoveredWithoutLoss } from './harness/assertions.js'
import { startRig } from './harness/rig.js'
import { WORK_QUEUE } from './harness/topology.js'
import { sleep, waitFor } from '@warren/test-kit'

// Faults of a 3-node cluster: a node crashes or freezes under the services' feet. Every
// scenario leaves the cluster whole again (the node restarted) for the next one.
let cluster: RabbitCluster
let n1: RabbitNode
let n2: RabbitNode
let n3: RabbitNode
beforeAll(async () => {
  cluster = await startCluster({ prefix: `warren-f${randomBytes(3).toString('hex')}-` })
  ;[n1, n2, n3] = cluster.nodes as [RabbitNode, RabbitNode, RabbitNode]
}, 300_000)
afterAll(async () => {
  await cluster?.stop()
})

/** Brings a killed node back and waits until the cluster sees all of its nodes again. */
async function revive(node: RabbitNode): Promise<void> {
  await node.restart()
  await cluster.waitForRunning()
}

describe('cluster faults under load', () => {
  it('three node URLs: when the node both services use dies, they fail over to the next', async () => {
    // The queue's leader lives on n2, so only the services' own node goes away.
    const rig = await startRig({
      scenario: 'failover to next URL',
      admin: cluster,
      declareVia: n2.url,
      publisherUrls: [n1.url, n2.url, n3.url],
    })
    let killed = false
    try {
      await rig.workload.run(2000)
      await n1.signal('SIGKILL')
      killed = true
      rig.workload.faultEnded()
      await waitFor(
        () =>
          rig.events.includes('publisher reconnected') &&
          rig.events.includes('consumer reconnected'),
        'both services to reconnect to another node',
      )
      await rig.workload.run(3000)
      const result = await rig.finish()
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(
        expect.arrayContaining(['publisher disconnected', 'consumer disconnected']),
      )
    } finally {
      await rig.close()
      if (killed) await revive(n1)
    }
  })

  it('kill -9 of the quorum leader: a follower takes over and no confirmed message is lost', async () => {
    const rig = await startRig({
      scenario: 'kill -9 quorum leader',
      admin: cluster,
      declareVia: n1.url,
      publisherUrls: [n2.url, n3.url],
      consumerUrls: [n3.url, n2.url],
    })
    let killed: RabbitNode | undefined
    try {
      const leader = await cluster.leaderOf(rig.vhost, WORK_QUEUE)
      expect(leader.name).toBe(n1.name)
      await rig.workload.run(2000)
      await leader.signal('SIGKILL')
      killed = leader
      rig.workload.faultEnded()
      await waitFor(
        async () => (await cluster.leaderOf(rig.vhost, WORK_QUEUE).catch(() => leader)) !== leader,
        'a new leader',
      )
      await rig.workload.run(3000)
      const result = await rig.finish({
        notes: `new leader ${(await cluster.leaderOf(rig.vhost, WORK_QUEUE)).name}`,
      })
      expectRecoveredWithoutLoss(result)
    } finally {
      await rig.close()
      if (killed) await revive(killed)
    }
  })

  it('SIGSTOP of the quorum leader for 15 s: the services wait it out, the frozen node rejoins, none lost', async () => {
    // The consumer sits on the frozen node and finds out by heartbeat; the publisher does not.
    const rig = await startRig({
      scenario: 'SIGSTOP quorum leader 15s',
      admin: cluster,
      declareVia: n1.url,
      publisherUrls: [n2.url, n3.url],
      consumerUrls: [n1.url, n2.url, n3.url],
      heartbeat: '2s',
    })
    try {
      const leader = await cluster.leaderOf(rig.vhost, WORK_QUEUE)
      expect(leader.name).toBe(n1.name)
      await rig.workload.run(2000)
      await leader.signal('SIGSTOP')
      // Measured from the freeze: the cluster can route around a frozen node.
      rig.workload.faultEnded()
      const frozenAt = Date.now()
      let wokenAt = frozenAt
      try {
        await sleep(15_000)
      } finally {
        await leader.signal('SIGCONT')
        wokenAt = Date.now()
      }
      await rig.workload.run(3000)
      const since = (event: string, from: number) => {
        const at = rig.lastAt(event)
        return at === undefined ? 'never' : `${at - from} ms`
      }
      const result = await rig.finish({
        notes: `consumer lost its node after ${since('consumer disconnected', frozenAt)}, consumed again ${since('consumer reconnected', wokenAt)} after SIGCONT`,
      })
      expectRecoveredWithoutLoss(result)
      expect(rig.events).toEqual(expect.arrayContaining(['consumer reconnected']))
      await cluster.waitForRunning()
    } finally {
      await rig.close()
    }
  })

  it('the admin API reads stats from another management node while its first one is dead; with only that one it answers 502, then recovers', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'warren-faults-admin-'))
    const token = randomBytes(16).toString('hex')
    // WARREN_MANAGEMENT_URL takes one URL per node: one app knows n3 then n1, the other n3 only.
    const adminApp = (managementUrls: string) =>
      createApp(
        loadConfig({
          WARREN_AMQP_URL: n3.url,
          WARREN_MANAGEMENT_URL: managementUrls,
          WARREN_ADMIN_TOKEN: token,
          WARREN_DATA_DIR: dataDir,
          WARREN_MANAGEMENT_TIMEOUT: '2s',
        }),
        { logSink: () => {} },
      )
    const both = adminApp(`${n3.managementUrl},${n1.managementUrl}`)
    const single = adminApp(n3.managementUrl as string)
    const get = (admin: typeof both, path: string) =>
      admin.app.request(path, { headers: { authorization: `Bearer ${token}` } })
    const rig = await startRig({
      scenario: 'admin API, management node dies',
      admin: cluster,
      declareVia: n1.url,
      publisherUrls: [n1.url, n2.url],
      consumerUrls: [n2.url, n1.url],
    })
    let killed = false
    try {
      await rig.workload.run(2000)
      const before = await get(both, '/api/overview')
      expect(before.status).toBe(200)
      const overview = (await before.json()) as { broker: { nodes: { running: boolean }[] } }
      expect(overview.broker.nodes.filter((node) => node.running)).toHaveLength(3)
      expect((await get(single, '/api/overview')).status).toBe(200)

      await n3.signal('SIGKILL')
      killed = true
      rig.workload.faultEnded()
      // Several management URLs: the next node answers.
      expect((await get(both, '/api/overview')).status).toBe(200)
      expect((await get(both, '/api/queues')).status).toBe(200)
      // Only the dead node's: a clear 502 problem.
      const during = await get(single, '/api/overview')
      expect(during.status).toBe(502)
      expect(during.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(await during.json()).toMatchObject({
        status: 502,
        title: 'RabbitMQ management API unavailable',
      })

      await n3.restart()
      killed = false
      const restartedAt = Date.now()
      await waitFor(
        async () => (await get(single, '/api/overview')).status === 200,
        'the admin API',
      )
      const answeringAfterMs = Date.now() - restartedAt
      await cluster.waitForRunning()
      await rig.workload.run(2000)
      const result = await rig.finish({
        notes: `two URLs: 200 throughout; n3 only: 502 while it was dead, 200 again ${answeringAfterMs} ms after it restarted`,
      })
      expectRecoveredWithoutLoss(result)
      expect((await get(single, '/api/queues')).status).toBe(200)
    } finally {
      await rig.close()
      await Promise.all([both.close(), single.close()])
      await rm(dataDir, { recursive: true, force: true })
      if (killed) await revive(n3)
    }
  })
})
