import { Archive } from '../archive/stream.js'
import type { AuditRecorder } from '../audit/types.js'
import { ApiError } from '../errors.js'
import { createBulkRunner, type BulkRunner } from '../operations/bulk.js'
import { amqpCopyPublisher } from '../operations/copy-publisher.js'
import { QueueLocks } from '../operations/locks.js'
import { OperationRegistry } from '../operations/registry.js'
import { AmqpPool } from '../rabbit/amqp.js'
import { deadLetterRoutes } from '../routes/dead-letters.js'
import { inScope } from '../scope.js'
import type { Logger } from '../security/logger.js'
import type { StoreCustody } from '../store/custody.js'
import type { DeadLetterStore } from '../store/types.js'
import { createDeadLetterAges, type DeadLetterAges } from './head.js'
import { QueueReader } from './reader.js'
import type { QueueFactsLookup } from './reading.js'
import type { DeadLetterServices } from './services.js'

/** What the admin app passes to the dead-letter module. */
export interface DeadLetterModuleOptions {
  /** AMQP URLs of the cluster's nodes (credentials included); tried in order on each connect. */
  amqpUrls: string[]
  /** Where requeue, delete, purge and restore are recorded. */
  audit: AuditRecorder
  /** `x-max-age` of the `warren.archive` stream, e.g. `7D`. */
  archiveMaxAge: string
  /**
   * What a queue is (type, role, delivery limit): the routes touch only dead-letter queues, and
   * read each in a way that costs its messages nothing. The admin app answers from discovery.
   */
  queueFacts: QueueFactsLookup
  /**
   * How long the reading of a re-seated queue (a quorum DLQ with a delivery limit on a broker
   * before 4.3) is reused while its count stays the same.
   * @default 30000
   */
  reseatReuseMs?: number
  /**
   * The vhosts these routes may touch (`WARREN_VHOSTS`); any other answers 404 before a channel
   * is opened, and the head reader answers null for it.
   * @default undefined (every vhost)
   */
  vhosts?: string[] | undefined
  /**
   * The dead-letter store and which queues are in its care (custody: drained into it by the
   * intake). Those queues are browsed, grouped and acted on in the store; the others are read
   * live in RabbitMQ.
   * @default undefined (every queue read live)
   */
  store?: StoreCustody | undefined
  /** Where the bulk runner reports what it could not do. @default undefined */
  log?: Logger | undefined
}

/** Without a store, its routes answer 409 with the reason. */
const storeOff = () =>
  new ApiError(
    409,
    'store-off',
    'The dead-letter store is off',
    'WARREN_DEAD_LETTER_STORE=off: dead letters are read live in RabbitMQ, where bulk ' +
      'operations, notes, edit-and-retry and export are not available.',
  )
/** Stands in for the store and the runner when there is none: every call answers 409. */
const unavailable = <T extends object>() =>
  new Proxy({} as T, { get: () => () => Promise.reject(storeOff()) })

export interface DeadLetterModule {
  /** Dead-letter, archive and operation routes; mount with `.route('/api', routes)`. */
  routes: ReturnType<typeof deadLetterRoutes>
  /**
   * When the oldest dead letter a browse last saw in a queue was dead-lettered (epoch ms); null
   * when unknown. Nothing is read to answer.
   */
  deadLetteredAt: DeadLetterAges['deadLetteredAt']
  /** Closes the AMQP connections the module opened. */
  close(): Promise<void>
}

/**
 * Browse, requeue, delete and purge dead letters; list and restore the archive; report the
 * progress of long operations. Authentication, roles, CSRF and problem+json are the app's; it
 * must set the signed-in `actor` on the context (`c.set('actor', ...)`) before these routes, since
 * the audit log names who did what.
 *
 * @example
 * const deadLetters = createDeadLetterModule({ amqpUrls, audit, archiveMaxAge: '7D', queueFacts })
 * const app = new Hono<AppEnv>().route('/api', deadLetters.routes)
 * // on shutdown
 * await deadLetters.close()
 */
export function createDeadLetterModule(options: DeadLetterModuleOptions): DeadLetterModule {
  const pool = new AmqpPool({ urls: options.amqpUrls })
  const locks = new QueueLocks()
  const ages = createDeadLetterAges()
  const reader = new QueueReader({
    pool,
    facts: options.queueFacts,
    ...(options.reseatReuseMs === undefined ? {} : { reseatReuseMs: options.reseatReuseMs }),
  })
  const services: DeadLetterServices = {
    pool,
    reader,
    ages,
    archive: new Archive(pool, options.archiveMaxAge),
    locks,
    operations: new OperationRegistry(),
    audit: options.audit,
  }
  const custody = options.store
  const publisher = amqpCopyPublisher(pool)
  const runner = custody
    ? createBulkRunner({ store: custody.store, publisher, audit: options.audit, log: options.log })
    : undefined
  // Operations a stopped admin API left running continue here.
  runner?.resumeUnfinished().catch((error: unknown) => {
    options.log?.warn('bulk operations could not be resumed', { error: String(error) })
  })
  const held = custody && runner ? { ...custody, runner } : undefined
  const routes = deadLetterRoutes(services, options.vhosts, held, {
    store: custody?.store ?? unavailable<DeadLetterStore>(),
    runner: runner ?? unavailable<BulkRunner>(),
    publisher,
    audit: options.audit,
    vhosts: options.vhosts,
    custody: (vhost, queue) =>
      custody ? custody.custody(vhost, queue) : Promise.reject(storeOff()),
  })
  return {
    routes,
    deadLetteredAt: (vhost, queue) =>
      inScope(options.vhosts, vhost) ? ages.deadLetteredAt(vhost, queue) : Promise.resolve(null),
    async close() {
      await runner?.close()
      await pool.close()
    },
  }
}
