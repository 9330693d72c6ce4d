import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import amqp, { type ChannelModel, type ConfirmChannel } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startRabbitNode, type RabbitNode } from '../support/rabbit-node.js'
import {
  freePort,
  killAdminApis,
  startAdminApi,
  waitFor,
  type AdminApiProcess,
} from '@warren/test-kit'
import { recordResult } from './harness/report.js'
import {
  drainQueue,
  openStoreFile,
  publishDeadLetters,
  type StoreFile,
} from './harness/stored-dead-letters.js'

// The dead-letter store's custody under kill -9 of the admin API: while its intake drains a DLQ
// into the SQLite store, while a bulk requeue sends stored dead letters back, and while a bulk
// delete archives them. After each, every dead letter is somewhere a user can find it: in the
// store (held, or archived and restorable), still in RabbitMQ, or requeued into its original
// queue. A copy handled just before the kill may be there twice (counted, not failed).

// The CI subset (`--ci`) takes fewer dead letters; every kill still lands mid-way, at the same shares.
const COUNT = process.env.WARREN_FAULTS_CI === '1' ? 8_000 : 20_000
const ORIGINAL = 'orders'
const DLQ = 'orders.dlq'

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

/** A vhost with `orders` and its DLQ holding COUNT dead letters, and an admin API to start on it. */
interface Scene {
  vhost: string
  channel: ConfirmChannel
  store: StoreFile
  /** Starts the admin API (again) on the same store file and port. */
  start(): Promise<AdminApiProcess>
  /** `/api/dead-letters/<vhost>/orders.dlq` */
  path: string
  close(): Promise<void>
}

async function openScene(name: string, dlqType: 'quorum' | 'classic'): Promise<Scene> {
  const vhost = `faults-store-${name}-${randomBytes(3).toString('hex')}`
  await node.ctl('add_vhost', vhost)
  await node.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
  const dataDir = await mkdtemp(join(tmpdir(), 'warren-faults-store-'))
  const storePath = join(dataDir, 'dead-letters.sqlite')
  const port = await freePort()
  let connection: ChannelModel | undefined
  let store: StoreFile | undefined
  const close = async () => {
    await killAdminApis()
    store?.close()
    await connection?.close().catch(() => {})
    await rm(dataDir, { recursive: true, force: true })
    await node.ctl('delete_vhost', vhost).catch(() => {})
  }
  try {
    connection = await amqp.connect(`${node.url}/${encodeURIComponent(vhost)}`)
    const channel = await connection.createConfirmChannel()
    await channel.assertQueue(DLQ, { durable: true, arguments: { 'x-queue-type': dlqType } })
    // No consumer: what a requeue sends back stays there to be counted.
    await channel.assertQueue(ORIGINAL, {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': DLQ },
    })
    await publishDeadLetters(channel, DLQ, { count: COUNT, original: ORIGINAL, prefix: name })
    store = openStoreFile(storePath)
    return {
      vhost,
      channel,
      store,
      path: `/api/dead-letters/${encodeURIComponent(vhost)}/${DLQ}`,
      start: () =>
        startAdminApi({
          amqpUrl: node.url,
          managementUrl: node.managementUrl as string,
          vhosts: [vhost],
          dataDir,
          port,
          env: { WARREN_DEAD_LETTER_STORE: `sqlite:${storePath}` },
          echo: Boolean(process.env.WARREN_FAULTS_LOG),
        }),
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

/** The ids `<prefix>-0` … `<prefix>-<COUNT-1>` that `has` does not find. */
const missing = (prefix: string, has: (id: string) => boolean) =>
  Array.from({ length: COUNT }, (_, i) => `${prefix}-${i}`).filter((id) => !has(id))

/** Copies beyond the first of each id. */
const extraCopies = (counts: Iterable<number>) => {
  let extra = 0
  for (const n of counts) extra += Math.max(0, n - 1)
  return extra
}

const thousands = (n: number) => n.toLocaleString('en-US')

/** Waits until the intake has drained the scene's DLQ: nothing ready, the store's count settled. */
async function intakeDone(scene: Scene): Promise<void> {
  let last = -1
  let since = Date.now()
  await waitFor(
    async () => {
      const stored = scene.store.count(scene.vhost, DLQ)
      if (stored !== last) [last, since] = [stored, Date.now()]
      const { messageCount } = await scene.channel.checkQueue(DLQ)
      return stored >= COUNT && messageCount === 0 && Date.now() - since >= 1_000
    },
    'the intake to store every dead letter',
    120_000,
  )
}

describe('the dead-letter store under kill -9 of the admin API', () => {
  for (const dlqType of ['quorum', 'classic'] as const) {
    it(`SIGKILL twice while the intake drains a ${dlqType} DLQ: each dead letter is stored once or still queued`, async () => {
      const name = `intake-${dlqType}`
      const scene = await openScene(name, dlqType)
      const { vhost, store } = scene
      try {
        let api = await scene.start()
        const killedAt: number[] = []
        let recoveryMs = 0
        for (const threshold of [COUNT * 0.15, COUNT * 0.45]) {
          await waitFor(
            () => store.count(vhost, DLQ) >= threshold,
            `the store to hold ${threshold}`,
            120_000,
          )
          const at = Date.now()
          await api.kill()
          // What was committed before the kill; the kill must have come while the intake ran.
          const stored = store.count(vhost, DLQ)
          killedAt.push(stored)
          expect(stored).toBeLessThan(COUNT)
          api = await scene.start()
          await waitFor(
            () => store.count(vhost, DLQ) > stored,
            'the restarted intake to store again',
            60_000,
          )
          recoveryMs = Math.max(recoveryMs, Date.now() - at)
        }
        // On a loss the count never gets there: what is missing is counted below.
        await intakeDone(scene).catch(() => {})
        // What the admin API says: the store's count and RabbitMQ's, before it stops.
        const answer = (await (await api.request(`${scene.path}/messages?limit=1`)).json()) as {
          total: number
          reading: { inBroker: number }
        }
        // A graceful stop writes and acks what it took, or hands it back to the queue.
        await api.stop()

        const rows = store.rows(vhost, DLQ)
        const stored = new Map<string, number>()
        for (const row of rows) stored.set(row.messageId, (stored.get(row.messageId) ?? 0) + 1)
        const queued = await drainQueue(scene.channel, DLQ)
        const lost = missing(name, (id) => stored.has(id) || queued.has(id))
        const unique = new Set([...stored.keys(), ...queued.keys()]).size
        const duplicates = rows.length + [...queued.values()].reduce((a, b) => a + b, 0) - unique
        recordResult(
          {
            scenario: `store intake SIGKILL x2 (${dlqType} DLQ)`,
            published: COUNT,
            confirmed: COUNT,
            consumedUnique: unique,
            lost: lost.length,
            duplicates,
            recoveryMs,
            maxStallMs: 0,
          },
          `killed at ${killedAt.map(thousands).join(' and ')} stored; store ${thousands(rows.length)} rows` +
            ` (API: total ${answer.total}, inBroker ${answer.reading.inBroker}), ${thousands(queued.size)} left in RabbitMQ`,
        )
        expect(lost.slice(0, 20)).toEqual([])
        // The digest: a copy RabbitMQ redelivers after a kill between commit and ack is skipped.
        expect(extraCopies(stored.values())).toBe(0)
      } finally {
        await scene.close()
      }
    })
  }

  // The bulk operation's view, as GET /api/bulk-operations/:id answers.
  interface Operation {
    id: string
    status: string
    total: number
    done: number
    failed: number
    possibleDuplicates?: number
  }

  /**
   * Stores the scene's dead letters, starts an operation over all of them with `begin`, kills
   * the admin API once `killAt` are done, restarts it and waits for the resumed operation to end.
   */
  async function killMidOperation(
    scene: Scene,
    begin: (api: AdminApiProcess) => Promise<Response>,
    killAt: number,
  ): Promise<{
    answer: Response | null
    operation: Operation
    doneAtKill: number
    recoveryMs: number
  }> {
    const { vhost, store } = scene
    const api = await scene.start()
    await intakeDone(scene)
    // A purge answers once it is done: the kill comes first, and it never answers.
    const answering = begin(api).catch(() => null)
    await waitFor(
      () => (store.latestBulk(vhost, DLQ)?.done ?? 0) >= killAt,
      `the operation to pass ${killAt}`,
      60_000,
    )
    const at = Date.now()
    await api.kill()
    const answer = await answering
    const { id, done: doneAtKill } = store.latestBulk(vhost, DLQ)!
    expect(doneAtKill).toBeLessThan(COUNT)
    const again = await scene.start()
    await waitFor(
      () => (store.bulk(id)?.done ?? 0) > doneAtKill,
      'the restarted admin API to resume the operation',
      60_000,
    )
    const recoveryMs = Date.now() - at
    let operation: Operation | undefined
    await waitFor(
      async () => {
        operation = (await (await again.request(`/api/bulk-operations/${id}`)).json()) as Operation
        return !['pending', 'running'].includes(operation.status)
      },
      'the resumed operation to finish',
      120_000,
    )
    await again.stop()
    return { answer, operation: operation!, doneAtKill, recoveryMs }
  }

  it('SIGKILL mid-way through a bulk requeue: each dead letter is back in its queue or still held', async () => {
    const name = 'requeue'
    const scene = await openScene(name, 'quorum')
    const { vhost, store } = scene
    try {
      const rate = 4_000
      const { answer, operation, doneAtKill, recoveryMs } = await killMidOperation(
        scene,
        (api) =>
          api.request(`${scene.path}/operations`, {
            method: 'POST',
            body: { action: 'requeue', selection: { filter: {} }, rate },
          }),
        COUNT * 0.3,
      )
      expect(answer?.status).toBe(202)
      expect(operation.total).toBe(COUNT)
      const rows = store.rows(vhost, DLQ)
      const held = new Set(rows.filter((row) => row.state === 'held').map((row) => row.messageId))
      const requeued = await drainQueue(scene.channel, ORIGINAL)
      const lost = missing(name, (id) => requeued.has(id) || held.has(id))
      const both = [...held].filter((id) => requeued.has(id)).length
      const duplicates = extraCopies(requeued.values()) + both
      recordResult(
        {
          scenario: 'store bulk requeue SIGKILL',
          published: COUNT,
          confirmed: COUNT,
          consumedUnique: new Set([...requeued.keys(), ...held]).size,
          lost: lost.length,
          duplicates,
          recoveryMs,
          maxStallMs: 0,
        },
        `${rate}/s, killed at ${thousands(doneAtKill)} done; operation ${operation.status}` +
          ` (done ${thousands(operation.done)}, failed ${operation.failed}, possibleDuplicates ${operation.possibleDuplicates ?? '-'});` +
          ` ${thousands(requeued.size)} ids in ${ORIGINAL}, ${held.size} held`,
      )
      expect(lost.slice(0, 20)).toEqual([])
      expect(operation.status).toBe('succeeded')
      // At most the batch in flight at the kill is sent twice.
      expect(duplicates).toBeLessThanOrEqual(operation.possibleDuplicates ?? 100)
    } finally {
      await scene.close()
    }
  })

  it('SIGKILL mid-way through a purge: each dead letter is archived (restorable) or still held', async () => {
    const name = 'purge'
    const scene = await openScene(name, 'quorum')
    const { vhost, store } = scene
    try {
      // The legacy purge: on a store-kept queue, an unpaced bulk delete it waits for.
      const { answer, operation, doneAtKill, recoveryMs } = await killMidOperation(
        scene,
        (api) => api.request(`${scene.path}/purge`, { method: 'POST', body: { confirm: DLQ } }),
        COUNT * 0.15,
      )
      expect(answer).toBeNull()
      expect(operation.total).toBe(COUNT)
      const rows = store.rows(vhost, DLQ)
      const kept = new Map<string, string>()
      for (const row of rows) {
        if (row.state === 'held' || row.state === 'archived') kept.set(row.messageId, row.state)
      }
      const lost = missing(name, (id) => kept.has(id))
      const archived = [...kept.values()].filter((state) => state === 'archived').length
      recordResult(
        {
          scenario: 'store purge SIGKILL',
          published: COUNT,
          confirmed: COUNT,
          consumedUnique: kept.size,
          lost: lost.length,
          duplicates: rows.length - new Set(rows.map((row) => row.messageId)).size,
          recoveryMs,
          maxStallMs: 0,
        },
        `unpaced, killed at ${thousands(doneAtKill)} done; operation ${operation.status};` +
          ` ${thousands(archived)} archived, ${kept.size - archived} held`,
      )
      expect(lost.slice(0, 20)).toEqual([])
      expect(operation.status).toBe('succeeded')
      expect(archived).toBe(COUNT)
    } finally {
      await scene.close()
    }
  })
})
