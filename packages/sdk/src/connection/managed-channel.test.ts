import amqp, { type Channel } from 'amqplib'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ClosedError } from '../errors.js'
import { captureLogger } from '../test-support/capture-logger.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'
import type { Link } from './connection-manager.js'
import { ManagedChannel, type ManagedChannelOptions, type OpenChannel } from './managed-channel.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-managed-channel')
})
afterAll(async () => {
  await vhost?.delete()
})

/** What a test opened, closed after it whatever it did: managed channels, then connections. */
const opened: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close()
})

/** A connection of the test's own, shaped as the connection manager hands it out. */
async function connectLink(): Promise<Link> {
  const model = await amqp.connect(vhost.url)
  const link: Link = {
    model,
    generation: 1,
    url: vhost.url,
    serverVersion: model.connection.serverProperties.version,
    closed: false,
  }
  model.on('error', () => {})
  model.on('close', () => {
    link.closed = true
  })
  opened.push(() => model.close().catch(() => {}))
  return link
}

/** A managed plain channel whose setup records each open; `more` adds or replaces options. */
function managed(
  more: Partial<ManagedChannelOptions<Channel>> = {},
): ManagedChannel & { setups: { open: OpenChannel<Channel>; reopened: boolean }[] } {
  const setups: { open: OpenChannel<Channel>; reopened: boolean }[] = []
  const channel = new ManagedChannel<Channel>({
    role: 'test',
    fields: { part: 'test' },
    logger: captureLogger(),
    create: (link) => link.model.createChannel(),
    setup: (open, reopened) => {
      setups.push({ open, reopened })
    },
    reopen: { initialDelayMs: 20 },
    ...more,
  })
  opened.push(() => channel.close())
  return Object.assign(channel, { setups })
}

describe('a managed channel', () => {
  it('runs the part’s setup on open, and again on a new channel after the broker closed the old one', async () => {
    const link = await connectLink()
    const channel = managed()
    await channel.attach(link)
    const first = channel.current
    expect(channel.setups.map((s) => s.reopened)).toEqual([false])
    expect(first).toBe(channel.setups[0]?.open)

    // A passive declare of a queue that does not exist: the broker closes the channel (404).
    await first?.channel.checkQueue('no.such.queue').catch(() => {})
    await waitFor(() => channel.setups.length === 2, 'the channel to reopen')

    const second = channel.current
    expect(channel.setups.map((s) => s.reopened)).toEqual([false, true])
    expect(second).toBe(channel.setups[1]?.open)
    expect(second).not.toBe(first)
    expect(first?.error?.message).toContain('NOT_FOUND')
    // What came on the first channel is stale now: nothing may be settled on it.
    expect(channel.isCurrent(first as OpenChannel<Channel>)).toBe(false)
    expect(channel.isCurrent(second as OpenChannel<Channel>)).toBe(true)
    // The new channel works.
    const { queue } = await (second as OpenChannel<Channel>).channel.assertQueue('', {
      exclusive: true,
    })
    expect(queue).toMatch(/^amq\.gen-/)
  })

  it('tries setup again with backoff while it fails, and logs each attempt', async () => {
    const link = await connectLink()
    const logger = captureLogger()
    let refusals = 2
    const channel = managed({
      logger,
      // Refused twice after the first open (a queue still being deleted), then it takes.
      setup: async (open, reopened) => {
        if (reopened && refusals-- > 0) await open.channel.checkQueue('no.such.queue')
      },
    })
    await channel.attach(link)
    const first = channel.current as OpenChannel<Channel>
    channel.retire(first, 'broker-cancelled')
    await waitFor(
      () => logger.events.some((e) => e.event === 'test-resumed'),
      'the channel to resume',
    )
    const recovering = logger.events.filter((e) => e.event === 'test-recovering')
    expect(recovering.map((e) => e.attempt)).toEqual([1, 2, 3])
    expect(recovering[0]).toMatchObject({ part: 'test', reason: 'broker-cancelled' })
    expect(logger.events.filter((e) => e.event === 'test-resume-failed')).toHaveLength(2)
    expect(channel.current).toBeDefined()
    expect(channel.current).not.toBe(first)
  })

  it('lets go of its channel when the connection goes, and opens on the next one', async () => {
    const lost: OpenChannel<Channel>[] = []
    const channel = managed({ onLost: (open) => lost.push(open) })
    const first = await connectLink()
    const second = await connectLink()
    await channel.attach(first)
    const before = channel.current as OpenChannel<Channel>
    await first.model.close()
    channel.detach()
    expect(lost).toEqual([before])
    expect(channel.current).toBeUndefined()

    await channel.attach(second)
    expect(channel.current?.link).toBe(second)
    // Opened once per connection: the closed connection was not reopened on.
    expect(channel.setups.map((s) => [s.open.link, s.reopened])).toEqual([
      [first, false],
      [second, false],
    ])
  })

  it('opens one channel however many ask for it at once', async () => {
    const link = await connectLink()
    const channel = managed()
    const [a, b] = await Promise.all([channel.acquire(link), channel.acquire(link)])
    expect(a).toBe(b)
    expect(await channel.acquire(link)).toBe(a)
    expect(channel.setups).toHaveLength(1)
  })

  it('waits for the part’s work in flight before it closes the channel', async () => {
    const link = await connectLink()
    let inFlight = 1
    const channel = managed({ busy: () => inFlight > 0 })
    await channel.attach(link)
    const open = channel.current as OpenChannel<Channel>
    const events: string[] = []
    open.channel.on('close', () => events.push('channel closed'))
    const closing = channel
      .close(60_000, () => {
        events.push('intake stopped')
      })
      .then(() => events.push('closed'))
    await waitFor(() => events.includes('intake stopped'), 'the intake to stop')
    // Still open for the work in flight to finish on: a consumer's acks go out on it.
    expect(channel.isCurrent(open)).toBe(true)
    events.push('work done')
    inFlight = 0
    channel.settled()
    await closing
    expect(events).toEqual(['intake stopped', 'work done', 'channel closed', 'closed'])
    expect(channel.current).toBeUndefined()
    await expect(channel.acquire(link)).rejects.toBeInstanceOf(ClosedError)
  })

  it('closes anyway when the work in flight outlasts the timeout', async () => {
    const link = await connectLink()
    const channel = managed({ busy: () => true })
    await channel.attach(link)
    const open = channel.current as OpenChannel<Channel>
    let closedChannel = false
    open.channel.on('close', () => {
      closedChannel = true
    })
    await channel.close(50)
    expect(closedChannel).toBe(true)
    expect(channel.closed).toBe(true)
  })
})
