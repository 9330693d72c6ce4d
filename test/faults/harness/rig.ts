import { randomBytes } from 'node:crypto'
import {
  connect,
  type Broker,
  type Duration,
  type Logger,
  type Message,
  type PublishOptions,
} from '@warren/sdk'
import { EXCHANGE, faultTopology, ROUTING_KEY, WORK_QUEUE, type Tick } from './topology.js'
import { recordResult } from './report.js'
import { Workload, type FaultResult } from './workload.js'

type FaultBroker = Broker<typeof faultTopology>

/** Creates and removes vhosts on the broker under test (`rabbitmqctl` of a node or cluster). */
export interface VhostAdmin {
  ctl(...args: string[]): Promise<string>
}

export interface RigOptions {
  /** Scenario name: the report row and the messageId prefix. */
  scenario: string
  admin: VhostAdmin
  /** Node URLs (no vhost) the publishing service connects to, in the order it tries them. */
  publisherUrls: readonly string[]
  /** Node URLs the consuming service connects to. @default publisherUrls */
  consumerUrls?: readonly string[]
  /**
   * A node URL to declare the topology through before the services connect: a quorum queue's
   * leader starts on the node that declares it. @default the services declare it themselves
   */
  declareVia?: string
  /** AMQP heartbeat of both services. @default '5s' */
  heartbeat?: Duration
  /** What the consumer does before the message counts as consumed. @default nothing */
  handler?: (message: Message<Tick>) => void | Promise<void>
  /** Options of every publish besides the messageId, e.g. `{ delay: '3s' }`. @default {} */
  publishOptions?: PublishOptions
  /** Whether the rig consumes itself; false when a scenario brings its own consumers. @default true */
  consume?: boolean
  /** @default 100 */
  prefetch?: number
  /** @default 20 */
  concurrency?: number
}

/** A vhost of the scenario's own with a publishing and a consuming service under load. */
export interface Rig {
  readonly vhost: string
  readonly workload: Workload
  readonly publisher: FaultBroker
  /** Undefined when `consume` is false. */
  readonly consumer: FaultBroker | undefined
  /** What the services reported, as `<role> <event>` (e.g. `consumer reconnected`). */
  readonly events: string[]
  /** When `event` (as in `events`) last happened, epoch ms. */
  lastAt(event: string): number | undefined
  /** Messages of the `disconnected` events' errors. */
  readonly disconnectErrors: string[]
  /** `urls` with the scenario's vhost. */
  urlsFor(urls: readonly string[]): string[]
  /**
   * Stops publishing, waits for every confirm and for the consumers to drain, then records the
   * scenario's row (`excused`: confirmed ids whose loss the fault itself causes, e.g. a deleted
   * queue's messages).
   */
  finish(options?: {
    excused?: (id: string) => boolean
    /** How long the drain waits without progress before it counts what is missing. @default 20000 */
    quietMs?: number
    /** For the report's notes column; a function is called after the drain. */
    notes?: string | (() => string | Promise<string>)
  }): Promise<FaultResult>
  /** Closes both services (time-boxed) and deletes the vhost. */
  close(): Promise<void>
}

/** Creates the vhost, connects both services, starts consuming and publishing. */
export async function startRig(options: RigOptions): Promise<Rig> {
  const vhost = `faults-${options.scenario.replace(/[^\w]+/g, '-')}-${randomBytes(3).toString('hex')}`
  await options.admin.ctl('add_vhost', vhost)
  await options.admin.ctl('set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*')
  const urlsFor = (urls: readonly string[]) =>
    urls.map((url) => `${url.replace(/\/$/, '')}/${encodeURIComponent(vhost)}`)
  const events: string[] = []
  const times = new Map<string, number>()
  const record = (event: string) => {
    events.push(event)
    times.set(event, Date.now())
  }
  const disconnectErrors: string[] = []
  const brokers: FaultBroker[] = []

  const service = async (role: 'publisher' | 'consumer', urls: readonly string[]) => {
    const broker = await connect({
      url: urlsFor(urls),
      topology: faultTopology,
      service: `faults-${role}`,
      heartbeat: options.heartbeat ?? '5s',
      reconnect: { initialDelay: '100ms', maxDelay: '1s' },
      // Long enough for every fault of the suite: a publish should end confirmed, not timed out.
      publish: { timeout: '180s' },
      closeTimeout: '5s',
      ...(process.env.WARREN_FAULTS_LOG && { logger: consoleLogger(role) }),
    })
    brokers.push(broker)
    for (const event of [
      'reconnected',
      'blocked',
      'unblocked',
      'consumer-cancelled',
      'consumer-resumed',
    ] as const) {
      broker.on(event, () => record(`${role} ${event}`))
    }
    broker.on('disconnected', ({ error }) => {
      record(`${role} disconnected`)
      if (error) disconnectErrors.push(error.message)
    })
    broker.on('error', (error) => record(`${role} error: ${error.message}`))
    return broker
  }

  const nonEmptyQueues = async () => {
    const listing = await options.admin
      .ctl('list_queues', '-p', vhost, 'name', 'messages', 'consumers', '--formatter', 'json')
      .catch(() => '[]')
    return (JSON.parse(listing) as { name: string; messages: number; consumers: number }[])
      .filter((queue) => queue.messages > 0)
      .map((queue) => `${queue.name} (${queue.messages}, ${queue.consumers} consumers)`)
      .join(', ')
  }

  const close = async () => {
    // A broker that never comes back must not hang the suite: close() is time-boxed.
    await Promise.allSettled(brokers.map((broker) => withTimeout(broker.close(), 15_000)))
    await options.admin.ctl('delete_vhost', vhost).catch(() => {})
  }

  try {
    if (options.declareVia !== undefined) {
      const declarer = await connect({
        url: urlsFor([options.declareVia]),
        topology: faultTopology,
      })
      await declarer.close()
    }
    const consume = options.consume ?? true
    const consumer = consume
      ? await service('consumer', options.consumerUrls ?? options.publisherUrls)
      : undefined
    const publisher = await service('publisher', options.publisherUrls)
    const workload = new Workload({
      prefix: options.scenario.replace(/[^\w]+/g, '-'),
      publish: (tick) =>
        publisher.publish(EXCHANGE, ROUTING_KEY, tick, {
          ...options.publishOptions,
          messageId: tick.id,
        }),
    })
    const handler = options.handler
    await consumer?.consume(
      WORK_QUEUE,
      async (message) => {
        const tick = message.body as Tick
        if (handler) await handler(message as Message<Tick>)
        workload.consumed(tick.id)
      },
      { prefetch: options.prefetch ?? 100, concurrency: options.concurrency ?? 20 },
    )
    workload.start()
    const finish: Rig['finish'] = async ({ excused, notes, quietMs } = {}) => {
      await workload.stop()
      await workload.drain({
        ...(excused && { excused }),
        ...(quietMs !== undefined && { quietMs, timeoutMs: quietMs + 180_000 }),
      })
      const result = workload.result(options.scenario, excused)
      const rejected = Object.entries(workload.rejections)
        .map(([code, count]) => `${count} ${code}`)
        .join(', ')
      const note = typeof notes === 'function' ? await notes() : notes
      // A loss needs explaining: where messages still sit says where the chain broke.
      const stuck = result.lost > 0 ? await nonEmptyQueues() : ''
      recordResult(
        result,
        [note, rejected && `rejected: ${rejected}`, stuck && `messages in ${stuck}`]
          .filter(Boolean)
          .join('; '),
      )
      if (result.lost > 0) {
        const lost = workload.unconsumed().filter((id) => !excused?.(id))
        console.log(`[${options.scenario}] lost: ${lost.slice(0, 20).join(', ')}`)
      }
      return result
    }
    return {
      vhost,
      workload,
      publisher,
      consumer,
      events,
      lastAt: (event) => times.get(event),
      disconnectErrors,
      urlsFor,
      finish,
      close,
    }
  } catch (error) {
    await close()
    throw error
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer))
}

/** Warnings and errors of one service on the console (WARREN_FAULTS_LOG=1), for debugging. */
function consoleLogger(role: string): Logger {
  const print = (level: string) => (fields: Record<string, unknown>, message?: string) =>
    console.log(
      `${new Date().toISOString()} [${role}] ${level} ${message ?? ''} ${JSON.stringify(fields)}`,
    )
  return { debug: () => {}, info: print('info'), warn: print('warn'), error: print('error') }
}
