import type { Actor } from '../context.js'
import { ApiError } from '../errors.js'
import type { BulkRunner } from '../operations/bulk.js'
import type { BulkOperationView } from '../operations/bulk-schemas.js'
import type { DeadLetterStore, Selection } from '../store/types.js'
import type { DeleteResult, PurgeResult, RequeueResult } from './schemas.js'
import { assertPurgeConfirmed } from './remove.js'
import { audited, type DeadLetterServices } from './services.js'
import { storedId } from './stored-message.js'

// The design's requeue, delete and purge routes on a queue whose dead letters are in the store:
// the same requests and answers as on a queue read live, carried out by the bulk runner (requeue,
// purge: resumable after a crash) or one store transaction (delete by ids).

const FINISHED = new Set(['succeeded', 'failed', 'cancelled'])

/** Waits for an operation the runner started to finish. */
async function finished(runner: BulkRunner, id: string): Promise<BulkOperationView> {
  for (;;) {
    const view = await runner.get(id)
    if (view === null) throw new ApiError(500, 'operation-lost', 'The operation disappeared', id)
    if (FINISHED.has(view.status)) return view
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The ids that name held rows of the queue, as seqs, and those that name none. */
async function heldOf(store: DeadLetterStore, vhost: string, queue: string, ids: string[]) {
  const seqs = [...new Set(ids.filter((id) => /^[1-9]\d{0,15}$/.test(id)).map(Number))]
  const rows = await store.get(vhost, queue, seqs)
  const held = new Set(rows.filter((row) => row.state === 'held').map(storedId))
  return {
    seqs: [...held].map(Number),
    notFound: ids.filter((id) => !held.has(id)),
  }
}

export async function requeueStored(
  runner: BulkRunner,
  store: DeadLetterStore,
  vhost: string,
  queue: string,
  request: {
    ids?: string[]
    all?: true
    target?: string | undefined
    dryRun?: boolean | undefined
  },
  actor: Actor,
): Promise<RequeueResult> {
  let selection: Selection = { filter: {} }
  let notFound: string[] = []
  if (request.ids !== undefined) {
    const held = await heldOf(store, vhost, queue, request.ids)
    notFound = held.notFound
    if (held.seqs.length === 0) {
      return {
        operationId: '',
        requeued: 0,
        notFound,
        failed: [],
        ...(request.dryRun ? { wouldRequeue: 0, targets: {} } : {}),
      }
    }
    selection = { seqs: held.seqs }
  }
  const started = await runner.start({
    action: 'requeue',
    vhost,
    queue,
    selection,
    target: request.target ?? null,
    rate: null,
    actor,
    dryRun: request.dryRun === true,
  })
  if (started.dryRun) {
    const { matched, targets } = started.result
    return {
      operationId: '',
      requeued: 0,
      wouldRequeue: matched,
      targets: targets ?? {},
      notFound,
      failed: [],
    }
  }
  const view = await finished(runner, started.operation.id)
  return {
    operationId: view.id,
    requeued: view.done,
    notFound,
    failed: view.failures.map(({ id, reason }) => ({ id, reason })),
  }
}

export function deleteStored(
  services: DeadLetterServices,
  store: DeadLetterStore,
  vhost: string,
  queue: string,
  ids: string[],
  actor: Actor,
): Promise<DeleteResult> {
  return audited(
    services,
    { actor, action: 'delete', vhost, queue },
    async () => {
      const held = await heldOf(store, vhost, queue, ids)
      const settled = await store.settle(vhost, queue, held.seqs, 'archived', actor.name, null)
      const gone = new Set(settled.map(String))
      return {
        operationId: '',
        deleted: settled.length,
        notFound: [...held.notFound, ...held.seqs.map(String).filter((id) => !gone.has(id))],
        failed: [],
      }
    },
    (result) => ({
      counts: { deleted: result.deleted, notFound: result.notFound.length },
      outcome: 'success',
    }),
  )
}

export async function purgeStored(
  runner: BulkRunner,
  vhost: string,
  queue: string,
  request: { confirm: string },
  actor: Actor,
): Promise<PurgeResult> {
  assertPurgeConfirmed(request.confirm, queue)
  const started = await runner.start({
    action: 'delete',
    vhost,
    queue,
    selection: { filter: {} },
    target: null,
    rate: null,
    actor,
    dryRun: false,
  })
  if (started.dryRun) throw new Error('unreachable: a purge is never a dry run')
  const view = await finished(runner, started.operation.id)
  return {
    operationId: view.id,
    purged: view.done,
    failed: view.failures.map(({ id, reason }) => ({ id, reason })),
  }
}
