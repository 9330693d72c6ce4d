import { Hono } from 'hono'
import { Archive } from '../archive/stream.js'
import { listArchive } from '../archive/list.js'
import { restore } from '../archive/restore.js'
import type { AuditRecorder } from '../audit/types.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { QueueLocks } from '../operations/locks.js'
import { OperationRegistry } from '../operations/registry.js'
import { AmqpPool } from '../rabbit/amqp.js'
import { parseArchiveId } from '../archive/list.js'
import {
  listCombinedArchive,
  listStoredArchive,
  mergeRestores,
  parseStoredArchiveId,
  restoreAllStored,
  restoreStored,
} from '../archive/stored.js'
import { assertInScope, inScope, type VhostScope } from '../scope.js'
import type { Logger } from '../security/logger.js'
import type { StoreCustody } from '../store/custody.js'
import type { DeadLetterStore } from '../store/types.js'
import { browse } from './browse.js'
import { createDeadLetterAges, type DeadLetterAges } from './head.js'
import { QueueReader } from './reader.js'
import type { QueueFactsLookup } from './reading.js'
import { requeue } from './requeue.js'
import { deleteMessages, purge } from './remove.js'
import {
  archiveQuerySchema,
  browseQuerySchema,
  deleteBodySchema,
  filterQuerySchema,
  operationParamsSchema,
  purgeBodySchema,
  queueParamsSchema,
  requeueBodySchema,
  restoreBodySchema,
} from './schemas.js'
import type { DeadLetterServices } from './services.js'
import { browseStored, groupsLive, groupsStored } from './stored-browse.js'
import { deleteStored, purgeStored, requeueStored } from './stored-operations.js'
import { createBulkRunner, type BulkRunner } from '../operations/bulk.js'
import { amqpCopyPublisher } from '../operations/copy-publisher.js'
import { storeRoutes } from '../routes/dead-letter-store.js'
import { valid } from '../routes/validate.js'

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
  routes: ReturnType<typeof mountedRoutes>
  /**
   * When the oldest dead letter a browse last saw in a queue was dead-lettered (epoch ms); null
   * when unknown. Nothing is read to answer.
   */
  deadLetteredAt: DeadLetterAges['deadLetteredAt']
  /** Closes the AMQP connections the module opened. */
  close(): Promise<void>
}

/** The design's routes and the store's (bulk operations, edit-and-retry, notes, export). */
function mountedRoutes(
  services: DeadLetterServices,
  scope: VhostScope,
  held: (StoreCustody & { runner: BulkRunner }) | undefined,
  store: Parameters<typeof storeRoutes>[0],
) {
  return buildRoutes(services, scope, held).route('/', storeRoutes(store))
}

function buildRoutes(
  services: DeadLetterServices,
  scope: VhostScope,
  held?: StoreCustody & { runner: BulkRunner },
) {
  const guard = (vhost: string) => assertInScope(scope, vhost)
  /** The store, when it keeps this queue's dead letters. */
  const stored = async (vhost: string, queue: string) =>
    held && (await held.custody(vhost, queue)) ? held.store : undefined
  return new Hono<AppEnv>()
    .get(
      '/dead-letters/:vhost/:queue/messages',
      valid('param', queueParamsSchema),
      valid('query', browseQuerySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        guard(vhost)
        const query = c.req.valid('query')
        const store = await stored(vhost, queue)
        if (store) return c.json(await browseStored(store, services.pool, vhost, queue, query))
        return c.json(await browse(services.reader, services.ages, vhost, queue, query))
      },
    )
    .get(
      '/dead-letters/:vhost/:queue/groups',
      valid('param', queueParamsSchema),
      valid('query', filterQuerySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        guard(vhost)
        const store = await stored(vhost, queue)
        if (store) return c.json(await groupsStored(store, vhost, queue, c.req.valid('query')))
        return c.json(await groupsLive(services.reader, vhost, queue))
      },
    )
    .post(
      '/dead-letters/:vhost/:queue/requeue',
      valid('param', queueParamsSchema),
      valid('json', requeueBodySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        guard(vhost)
        const body = c.req.valid('json')
        const store = await stored(vhost, queue)
        if (store && held) {
          return c.json(await requeueStored(held.runner, store, vhost, queue, body, c.get('actor')))
        }
        return c.json(await requeue(services, vhost, queue, body, c.get('actor')))
      },
    )
    .post(
      '/dead-letters/:vhost/:queue/delete',
      valid('param', queueParamsSchema),
      valid('json', deleteBodySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        guard(vhost)
        const { ids } = c.req.valid('json')
        const store = await stored(vhost, queue)
        if (store) {
          return c.json(await deleteStored(services, store, vhost, queue, ids, c.get('actor')))
        }
        return c.json(
          await deleteMessages(services, vhost, queue, c.req.valid('json'), c.get('actor')),
        )
      },
    )
    .post(
      '/dead-letters/:vhost/:queue/purge',
      valid('param', queueParamsSchema),
      valid('json', purgeBodySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        guard(vhost)
        const body = c.req.valid('json')
        if (held && (await stored(vhost, queue))) {
          return c.json(await purgeStored(held.runner, vhost, queue, body, c.get('actor')))
        }
        return c.json(await purge(services, vhost, queue, body, c.get('actor')))
      },
    )
    .get('/archive', valid('query', archiveQuerySchema), async (c) => {
      const query = c.req.valid('query')
      guard(query.vhost)
      // A store-kept queue's archive is in the store, a live one's in the stream; a vhost's has both.
      const stream = (q: typeof query) => listArchive(services.archive, q)
      if (query.queue === undefined) {
        if (held) return c.json(await listCombinedArchive(held.store, stream, query))
        return c.json(await stream(query))
      }
      const store = await stored(query.vhost, query.queue)
      return c.json(await (store ? listStoredArchive(store, query) : stream(query)))
    })
    .post('/archive/restore', valid('json', restoreBodySchema), async (c) => {
      const body = c.req.valid('json')
      const actor = c.get('actor')
      if ('all' in body) {
        guard(body.vhost)
        const store = await stored(body.vhost, body.queue)
        if (store) return c.json(await restoreAllStored(store, services.audit, body, actor))
        return c.json(await restore(services, body, actor))
      }
      // Ids that don't parse name no vhost: restore reports them in notFound.
      for (const id of body.ids) {
        const parsed = parseArchiveId(id) ?? parseStoredArchiveId(id)
        if (parsed) guard(parsed.vhost)
      }
      const inStore = body.ids.filter((id) => parseStoredArchiveId(id) !== undefined)
      const inStream = body.ids.filter((id) => parseStoredArchiveId(id) === undefined)
      const [fromStore, fromStream] = await Promise.all([
        inStore.length > 0 && held
          ? restoreStored(held.store, services.audit, inStore, actor)
          : undefined,
        inStream.length > 0 || !held
          ? restore(services, { ...body, ids: inStream }, actor)
          : undefined,
      ])
      return c.json(
        mergeRestores(fromStream, fromStore, inStore.length > 0 && !held ? inStore : []),
      )
    })
    .get('/operations/:id', valid('param', operationParamsSchema), (c) => {
      const { id } = c.req.valid('param')
      const operation = services.operations.get(id)
      if (!operation) throw new ApiError(404, 'operation-not-found', 'Operation not found', id)
      return c.json(operation)
    })
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
  const routes = mountedRoutes(services, options.vhosts, held, {
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
