// The dead-letter routes: the design's browse, groups, requeue, delete and purge (on the store for
// queues in its care, live in RabbitMQ for the others), the archive, operation progress, and the
// store's own routes (bulk operations, edit-and-retry, notes, export).
import { Hono } from 'hono'
import { listArchive, parseArchiveId } from '../archive/list.js'
import { restore } from '../archive/restore.js'
import {
  listCombinedArchive,
  listStoredArchive,
  mergeRestores,
  parseStoredArchiveId,
  restoreAllStored,
  restoreStored,
} from '../archive/stored.js'
import type { AppEnv } from '../context.js'
import { browse } from '../dead-letters/browse.js'
import { requeue } from '../dead-letters/requeue.js'
import { deleteMessages, purge } from '../dead-letters/remove.js'
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
} from '../dead-letters/schemas.js'
import type { DeadLetterServices } from '../dead-letters/services.js'
import { browseStored, groupsLive, groupsStored } from '../dead-letters/stored-browse.js'
import { deleteStored, purgeStored, requeueStored } from '../dead-letters/stored-operations.js'
import { ApiError } from '../errors.js'
import type { BulkRunner } from '../operations/bulk.js'
import { assertInScope, type VhostScope } from '../scope.js'
import type { StoreCustody } from '../store/custody.js'
import { storeRoutes } from './dead-letter-store.js'
import { valid } from './validate.js'

/** The design's routes and the store's (bulk operations, edit-and-retry, notes, export). */
export function deadLetterRoutes(
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
