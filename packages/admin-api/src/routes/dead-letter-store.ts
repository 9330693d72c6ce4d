import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import type { AuditRecorder } from '../audit/types.js'
import type { AppEnv } from '../context.js'
import { retryEdited } from '../dead-letters/edit-retry.js'
import { exportFileName, exportLines } from '../dead-letters/export.js'
import { queueParamsSchema } from '../dead-letters/schemas.js'
import { valid } from '../dead-letters/validate.js'
import { ApiError } from '../errors.js'
import type { BulkRunner } from '../operations/bulk.js'
import {
  bulkBodySchema,
  bulkParamsSchema,
  bulkPatchSchema,
  exportQuerySchema,
  noteBodySchema,
  retryBodySchema,
  storedMessageParamsSchema,
  type NoteView,
} from '../operations/bulk-schemas.js'
import type { CopyPublisher } from '../operations/copy-publisher.js'
import { assertInScope, type VhostScope } from '../scope.js'
import type { DeadLetterFilter, DeadLetterStore, NoteRecord, Selection } from '../store/types.js'

export interface StoreRoutesDeps {
  store: DeadLetterStore
  runner: BulkRunner
  /** Sends edited copies (edit-and-retry). */
  publisher: CopyPublisher
  audit: AuditRecorder
  /**
   * The vhosts these routes may touch; any other answers 404.
   * @default undefined (every vhost)
   */
  vhosts?: VhostScope
  /**
   * Whether the store keeps this queue's dead letters; a queue read live answers 409 here.
   * @default every queue
   */
  custody?: ((vhost: string, queue: string) => Promise<boolean>) | undefined
}

/** The request's selection in the store's terms: ids are seqs. */
function selectionOf(selection: { ids: string[] } | { filter: DeadLetterFilter }): Selection {
  return 'ids' in selection ? { seqs: selection.ids.map(Number) } : { filter: selection.filter }
}

function noteView(note: NoteRecord): NoteView {
  const [kind, ...rest] = note.target.split(':')
  const key = rest.join(':')
  return {
    id: note.id,
    target: kind === 'group' ? { group: key } : { id: key },
    text: note.text,
    author: note.author,
    createdAt: new Date(note.createdAt).toISOString(),
  }
}

/**
 * Routes over the dead-letter store: bulk requeue, move and delete (paced, pausable, resumable),
 * edit-and-retry of one message, notes, and NDJSON export. Viewers may only read: the app's auth
 * middleware refuses them every method but GET. Mount with `.route('/api', storeRoutes(deps))`.
 *
 * @example
 * const app = new Hono<AppEnv>().route('/api', storeRoutes({ store, runner, publisher, audit }))
 */
export function storeRoutes(deps: StoreRoutesDeps) {
  const { store, runner } = deps
  const guard = (vhost: string) => assertInScope(deps.vhosts, vhost)
  const kept = async (vhost: string, queue: string) => {
    guard(vhost)
    if (deps.custody && !(await deps.custody(vhost, queue))) {
      throw new ApiError(
        409,
        'read-live',
        'This queue is read live in RabbitMQ',
        `The dead letters of '${queue}' are not in Warren's store (WARREN_LIVE_DEAD_LETTERS, or ` +
          'not a dead-letter queue): use requeue, delete and purge, which work on the queue itself.',
      )
    }
  }
  const operation = async (id: string) => {
    const view = await runner.get(id)
    if (!view) throw new ApiError(404, 'operation-not-found', 'Operation not found', id)
    guard(view.vhost)
    return view
  }
  return new Hono<AppEnv>()
    .post(
      '/dead-letters/:vhost/:queue/operations',
      valid('param', queueParamsSchema),
      valid('json', bulkBodySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        await kept(vhost, queue)
        const body = c.req.valid('json')
        const started = await runner.start({
          action: body.action,
          vhost,
          queue,
          selection: selectionOf(body.selection),
          target: body.target ?? null,
          rate: body.rate ?? null,
          actor: c.get('actor'),
          dryRun: body.dryRun === true,
        })
        return started.dryRun ? c.json(started.result, 200) : c.json(started.operation, 202)
      },
    )
    .get('/dead-letters/:vhost/:queue/operations', valid('param', queueParamsSchema), async (c) => {
      const { vhost, queue } = c.req.valid('param')
      await kept(vhost, queue)
      return c.json({ items: await runner.list(vhost, queue) })
    })
    .get('/bulk-operations/:id', valid('param', bulkParamsSchema), async (c) =>
      c.json(await operation(c.req.valid('param').id)),
    )
    .patch(
      '/bulk-operations/:id',
      valid('param', bulkParamsSchema),
      valid('json', bulkPatchSchema),
      async (c) => {
        const { id } = c.req.valid('param')
        await operation(id)
        return c.json(await runner.setRate(id, c.req.valid('json').rate))
      },
    )
    .post('/bulk-operations/:id/pause', valid('param', bulkParamsSchema), async (c) => {
      const { id } = c.req.valid('param')
      await operation(id)
      return c.json(await runner.pause(id))
    })
    .post('/bulk-operations/:id/resume', valid('param', bulkParamsSchema), async (c) => {
      const { id } = c.req.valid('param')
      await operation(id)
      return c.json(await runner.resume(id))
    })
    .post('/bulk-operations/:id/cancel', valid('param', bulkParamsSchema), async (c) => {
      const { id } = c.req.valid('param')
      await operation(id)
      return c.json(await runner.cancel(id))
    })
    .post(
      '/dead-letters/:vhost/:queue/messages/:id/retry',
      valid('param', storedMessageParamsSchema),
      valid('json', retryBodySchema),
      async (c) => {
        const { vhost, queue, id } = c.req.valid('param')
        await kept(vhost, queue)
        const result = await retryEdited(
          deps,
          vhost,
          queue,
          Number(id),
          c.req.valid('json'),
          c.get('actor'),
        )
        return c.json(result)
      },
    )
    .get('/dead-letters/:vhost/:queue/notes', valid('param', queueParamsSchema), async (c) => {
      const { vhost, queue } = c.req.valid('param')
      await kept(vhost, queue)
      return c.json({ items: (await store.notes(vhost, queue)).map(noteView) })
    })
    .post(
      '/dead-letters/:vhost/:queue/notes',
      valid('param', queueParamsSchema),
      valid('json', noteBodySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        await kept(vhost, queue)
        const { target, text } = c.req.valid('json')
        const note = await store.addNote({
          vhost,
          queue,
          target: 'id' in target ? `message:${target.id}` : `group:${target.group}`,
          text,
          author: c.get('actor').name,
          createdAt: Date.now(),
        })
        return c.json(noteView(note), 201)
      },
    )
    .get(
      '/dead-letters/:vhost/:queue/export',
      valid('param', queueParamsSchema),
      valid('query', exportQuerySchema),
      async (c) => {
        const { vhost, queue } = c.req.valid('param')
        await kept(vhost, queue)
        const { ids, ...filter } = c.req.valid('query')
        const selection = selectionOf(ids ? { ids } : { filter })
        c.header('content-type', 'application/x-ndjson; charset=utf-8')
        c.header(
          'content-disposition',
          `attachment; filename="${exportFileName(vhost, queue, new Date())}"`,
        )
        return stream(c, async (out) => {
          for await (const chunk of exportLines(store, vhost, queue, selection)) {
            if (out.aborted) return
            if (chunk !== '') await out.write(chunk)
          }
        })
      },
    )
}
