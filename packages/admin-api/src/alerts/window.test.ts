import { describe, expect, it } from 'vitest'
import type { DiscoveredQueue, Discovery, Topology } from '../discovery/index.js'
import type { Logger } from '../security/logger.js'
import { discoveredQueue, topologyAt } from '../test-support/queues.js'
import { createAlertMonitor } from './monitor.js'

// The monitor over a scripted broker and an injected clock: what the management API reports is
// set by the test, and time moves only when the test moves it.

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} }
const MINUTE = 60_000

function scripted() {
  const clock = { now: 1_000_000 }
  let queues: DiscoveredQueue[] = []
  const discovery: Discovery = {
    topology: () => Promise.resolve(topologyAt(clock.now, queues)),
  }
  const monitor = createAlertMonitor({
    discovery,
    log: silent,
    thresholds: {
      failureRatio: 0.01,
      backlog: 1000,
      deadLetterAgeMs: 60 * MINUTE,
      windowMs: 5 * MINUTE,
    },
    now: () => clock.now,
  })
  return {
    monitor,
    /** Moves the clock `ms` forward. */
    advance: (ms: number) => (clock.now += ms),
    /** What the broker reports from now on. */
    report: (next: DiscoveredQueue[]) => (queues = next),
  }
}

/** `jobs` dead-letters into `jobs.dlq`; the counters are what the broker's stats say. */
function jobs(acked: number, deadLetters: number): DiscoveredQueue[] {
  return [
    discoveredQueue('jobs', {
      deadLetterQueue: 'jobs.dlq',
      totals: { published: acked, delivered: acked, acked },
    }),
    discoveredQueue('jobs.dlq', {
      role: 'dead-letter',
      consumers: 0,
      feeds: ['jobs'],
      messages: deadLetters,
      ready: deadLetters,
      totals: { published: deadLetters, delivered: 0, acked: 0 },
    }),
  ]
}

const rules = (alerts: { rule: string; queue: string; value: number }[]) =>
  alerts.map(({ rule, queue, value }) => ({ rule, queue, value }))

describe('alert window', () => {
  it('takes the baseline of a queue declared between two snapshots from its first sighting', async () => {
    const { monitor, advance, report } = scripted()
    report([discoveredQueue('older')])
    await monitor.evaluate()

    // Declared two seconds later, long before the next snapshot is due; no stats yet.
    advance(2000)
    report(jobs(0, 0))
    expect(await monitor.evaluate()).toEqual([])

    // The broker's counters arrive before the next snapshot: 10 acked, 2 dead-lettered.
    advance(3000)
    report(jobs(10, 2))
    advance(7000)
    const raised = rules(await monitor.evaluate())
    advance(1000)
    const later = rules(await monitor.evaluate())

    const expected = [
      { rule: 'dead-letter-growth', queue: 'jobs.dlq', value: 2 },
      { rule: 'dead-letter-ratio', queue: 'jobs.dlq', value: 0.2 },
    ]
    expect(raised).toEqual(expected)
    expect(later).toEqual(expected)
  })

  it('ends ratio and growth alerts once the dead letters are older than the window', async () => {
    const { monitor, advance, report } = scripted()
    report(jobs(0, 0))
    await monitor.evaluate()
    advance(MINUTE)
    report(jobs(10, 2))
    expect(rules(await monitor.evaluate())).toHaveLength(2)

    advance(4 * MINUTE)
    expect(rules(await monitor.evaluate())).toHaveLength(2)
    advance(MINUTE + 1000)
    expect(await monitor.evaluate()).toEqual([])
  })

  it('starts the window of a queue deleted and declared again at its new first sighting', async () => {
    const { monitor, advance, report } = scripted()
    report(jobs(500, 40))
    await monitor.evaluate()
    advance(6 * MINUTE)
    await monitor.evaluate()

    report([])
    advance(1000)
    await monitor.evaluate()
    // Declared again: its counters start from zero, and the old queue's samples don't count.
    report(jobs(0, 0))
    advance(1000)
    await monitor.evaluate()
    advance(1000)
    report(jobs(10, 1))

    expect(rules(await monitor.evaluate())).toEqual([
      { rule: 'dead-letter-growth', queue: 'jobs.dlq', value: 1 },
      { rule: 'dead-letter-ratio', queue: 'jobs.dlq', value: 0.1 },
    ])
  })

  it('answers a caller with a reading taken after its call, even while another is in flight', async () => {
    let queues: DiscoveredQueue[] = []
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    const discovery: Discovery = {
      topology: (): Promise<Topology> => {
        const read = topologyAt(Date.now(), queues)
        return gate.then(() => read)
      },
    }
    const monitor = createAlertMonitor({
      discovery,
      log: silent,
      thresholds: { failureRatio: 0.01, backlog: 1000, deadLetterAgeMs: MINUTE, windowMs: MINUTE },
    })

    const first = monitor.evaluate()
    queues = [discoveredQueue('orders', { messages: 3, ready: 3, consumers: 0 })]
    const second = monitor.evaluate()
    const third = monitor.evaluate()
    release()

    expect(await first).toEqual([])
    expect(rules(await second)).toEqual([{ rule: 'no-consumers', queue: 'orders', value: 3 }])
    expect(await third).toBe(await second)
  })
})
