import type { GetMessage } from 'amqplib'
import { rabbitmqctl } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, HEADERS, WarrenError } from '../index.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-schedule')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { jobs: { type: 'topic' } },
  queues: {
    'reports.build': { bindings: [{ exchange: 'jobs', routingKey: 'report.build' }], retry: false },
    'caches.warm': { bindings: [{ exchange: 'jobs', routingKey: 'cache.warm' }], retry: false },
  },
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Cuts the connections of one service in this test's vhost, as a crash or a network cut would. */
async function cutConnections(service: string): Promise<number> {
  // rabbitmqctl sees a connection at once; the management API only after its next stats tick.
  const stdout = await rabbitmqctl([
    'list_connections',
    '-q',
    '--no-table-headers',
    'pid',
    'vhost',
    'client_properties',
  ])
  const pids = stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([, name, properties]) => name === vhost.name && properties?.includes(`"${service}@`))
    .map(([pid]) => pid as string)
  for (const pid of pids) await rabbitmqctl(['close_connection', pid, 'warren test: cut'])
  return pids.length
}

/** The tick of each message, in order, and the ticks that came more than once. */
function ticksOf(messages: GetMessage[]): { ticks: number[]; duplicates: string[] } {
  const seen = messages.map((m) => String(m.properties.headers?.[HEADERS.scheduledAt]))
  const duplicates = seen.filter((tick, i) => seen.indexOf(tick) !== i)
  return { ticks: [...new Set(seen)].map((tick) => Date.parse(tick)).sort(), duplicates }
}

describe('scheduled publish', () => {
  it('publishes each tick exactly once with two instances scheduling the same job', async () => {
    const a = await connect({ url: vhost.url, topology, service: 'reports' })
    const b = await connect({ url: vhost.url, topology, service: 'reports' })
    try {
      let calls = 0
      const body = () => ({ run: ++calls })
      const jobA = await a.schedule('* * * * * *', 'jobs', 'report.build', body, { name: 'report' })
      const jobB = await b.schedule('* * * * * *', 'jobs', 'report.build', body, { name: 'report' })
      await sleep(3_500)
      expect([jobA.leader, jobB.leader].filter(Boolean)).toHaveLength(1)
      await jobA.cancel()
      await jobB.cancel()

      const messages = await vhost.drain('reports.build')
      const { ticks, duplicates } = ticksOf(messages)
      expect(duplicates).toEqual([])
      expect(ticks.length).toBeGreaterThanOrEqual(3)
      // One tick a second, none skipped, each on a whole second.
      expect(ticks.slice(1).map((t, i) => t - (ticks[i] as number))).toEqual(
        Array<number>(ticks.length - 1).fill(1_000),
      )
      expect(ticks.every((t) => t % 1_000 === 0)).toBe(true)
      const first = messages[0]
      expect(first?.properties.messageId).toBe(
        `report@${String(first?.properties.headers?.[HEADERS.scheduledAt])}`,
      )
      expect(messages.map((m) => JSON.parse(m.content.toString()))).toEqual(
        messages.map((_, i) => ({ run: i + 1 })),
      )
      // The lock queue holds at most one ready token however many instances added one.
      const lock = (await management(
        'GET',
        `/queues/${encodeURIComponent(vhost.name)}/warren.schedule.report`,
      )) as { arguments: Record<string, unknown> }
      expect(lock.arguments).toMatchObject({ 'x-single-active-consumer': true })
      expect(await vhost.count('warren.schedule.report')).toBeLessThanOrEqual(1)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('hands the job to the other instance when the leading one closes, without a duplicate tick', async () => {
    const a = await connect({ url: vhost.url, topology })
    const b = await connect({ url: vhost.url, topology })
    try {
      const jobA = await a.schedule('* * * * * *', 'jobs', 'cache.warm', { cache: 'home' })
      const jobB = await b.schedule('* * * * * *', 'jobs', 'cache.warm', { cache: 'home' })
      await waitFor(async () => (await vhost.count('caches.warm')) >= 1, 'a first tick', 5_000)
      const [leader, follower] = jobA.leader ? [a, jobB] : [b, jobA]
      expect(jobA.name).toBe('jobs.cache.warm')
      await leader.close()
      const before = await vhost.count('caches.warm')
      await waitFor(() => follower.leader, 'the follower to lead', 5_000)
      await waitFor(
        async () => (await vhost.count('caches.warm')) >= before + 2,
        'ticks from the new leader',
        5_000,
      )
      await follower.cancel()
      const { ticks, duplicates } = ticksOf(await vhost.drain('caches.warm'))
      expect(duplicates).toEqual([])
      expect(ticks.length).toBeGreaterThanOrEqual(before + 2)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it("moves the job to the other instance when the leader's connection is cut, and the cut one follows", async () => {
    const a = await connect({ url: vhost.url, topology, service: 'sched-a' })
    const b = await connect({ url: vhost.url, topology, service: 'sched-b' })
    try {
      const options = { name: 'warm' }
      const jobA = await a.schedule('* * * * * *', 'jobs', 'cache.warm', { cache: 'all' }, options)
      const jobB = await b.schedule('* * * * * *', 'jobs', 'cache.warm', { cache: 'all' }, options)
      await waitFor(() => jobA.leader || jobB.leader, 'a leader', 5_000)
      const [leaderService, leaderJob, otherJob] = jobA.leader
        ? ['sched-a', jobA, jobB]
        : ['sched-b', jobB, jobA]
      let reconnected = false
      ;(jobA.leader ? a : b).once('reconnected', () => (reconnected = true))
      expect(await cutConnections(leaderService)).toBe(1)
      await waitFor(() => otherJob.leader, 'the other instance to lead', 5_000)
      await waitFor(() => reconnected, 'the cut instance to reconnect', 5_000)
      const before = await vhost.count('caches.warm')
      await waitFor(
        async () => (await vhost.count('caches.warm')) >= before + 2,
        'ticks after the cut',
        5_000,
      )
      expect(leaderJob.leader).toBe(false)
      expect(otherJob.leader).toBe(true)
      await jobA.cancel()
      await jobB.cancel()
      const { duplicates } = ticksOf(await vhost.drain('caches.warm'))
      expect(duplicates).toEqual([])
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('declares its lock queue again when an operator deletes it, and ticks on', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const job = await broker.schedule(
        '* * * * * *',
        'jobs',
        'report.build',
        { n: 1 },
        {
          name: 'relock',
        },
      )
      await waitFor(() => job.leader, 'the lead', 5_000)
      const channel = await (await vhost.raw()).createChannel()
      await channel.deleteQueue('warren.schedule.relock')
      await channel.close()
      await waitFor(() => !job.leader, 'the lead to go with the queue', 5_000)
      await waitFor(() => job.leader, 'the lead on the new lock queue', 5_000)
      await vhost.drain('reports.build')
      await waitFor(async () => (await vhost.count('reports.build')) >= 1, 'a tick', 5_000)
      await job.cancel()
    } finally {
      await broker.close()
    }
  })

  it('refuses an invalid cron expression', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const error = await broker
        .schedule('every minute', 'jobs', 'report.build', {})
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(WarrenError)
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS' })
    } finally {
      await broker.close()
    }
  })
})
