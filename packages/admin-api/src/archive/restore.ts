import type { Actor } from '../context.js'
import { ApiError } from '../errors.js'
import { republishOptions } from '../dead-letters/republish.js'
import type { FailedMessage, RestoreResult } from '../dead-letters/schemas.js'
import { auditTarget } from '../dead-letters/services.js'
import type { DeadLetterServices } from '../dead-letters/services.js'
import type { Progress } from '../operations/registry.js'
import { ConfirmedPublisher, describeOutcome } from '../rabbit/amqp-publisher.js'
import { archiveId, parseArchiveId, restorations } from './list.js'
import { ARCHIVE_STREAM, originalOf, stampOf } from './stream.js'
import type { ArchiveRecord } from './stream.js'

export type RestoreRequest =
  | { ids: string[]; operationId?: string | undefined }
  | { all: true; vhost: string; queue: string; operationId?: string | undefined }

/** What to restore in one vhost: named ids, or everything not yet restored from one queue. */
type Selection = { ids: string[] } | { queue: string }

/** A restore that has done nothing yet. */
export function noneRestored(): RestoreResult {
  return { operationId: '', restored: 0, notFound: [], alreadyRestored: [], failed: [] }
}

/**
 * Publishes archived messages back to the dead-letter queue they were removed from (default
 * exchange, mandatory, confirmed), then appends a `restored` record for each one that arrived,
 * so that a second restore of the same id reports it instead of duplicating it. Restores of one
 * vhost run one at a time for the same reason.
 */
export async function restore(
  services: DeadLetterServices,
  request: RestoreRequest,
  actor: Actor,
): Promise<RestoreResult> {
  const result = noneRestored()
  const selections = new Map<string, Selection>()
  if ('all' in request) {
    selections.set(request.vhost, { queue: request.queue })
  } else {
    for (const id of new Set(request.ids)) {
      const parsed = parseArchiveId(id)
      if (!parsed) {
        result.notFound.push(id)
        continue
      }
      const selection = selections.get(parsed.vhost) ?? { ids: [] }
      if ('ids' in selection) selection.ids.push(id)
      selections.set(parsed.vhost, selection)
    }
  }
  const [firstVhost = '/'] = selections.keys()
  try {
    return await runRestore(services, request, selections, firstVhost, actor, result)
  } catch (error) {
    // Refused (409: another operation on the archive) or failed: worth a line, as every other.
    await services.audit.record({
      actor,
      action: 'restore',
      target: auditTarget(firstVhost, 'all' in request ? request.queue : ARCHIVE_STREAM),
      counts: {},
      outcome: 'failure',
      detail: error instanceof ApiError ? error.message : 'internal error',
    })
    throw error
  }
}

function runRestore(
  services: DeadLetterServices,
  request: RestoreRequest,
  selections: Map<string, Selection>,
  firstVhost: string,
  actor: Actor,
  result: RestoreResult,
): Promise<RestoreResult> {
  return services.operations.run(
    {
      id: request.operationId,
      kind: 'restore',
      vhost: firstVhost,
      queue: 'all' in request ? request.queue : ARCHIVE_STREAM,
    },
    async (progress) => {
      result.operationId = progress.id
      for (const [vhost, selection] of selections) {
        await services.locks.with(vhost, ARCHIVE_STREAM, () =>
          restoreIn(services, vhost, selection, actor, progress, result),
        )
      }
      return result
    },
  )
}

async function restoreIn(
  services: DeadLetterServices,
  vhost: string,
  selection: Selection,
  actor: Actor,
  progress: Progress,
  result: RestoreResult,
): Promise<void> {
  const records = await services.archive.read(vhost)
  const restored = restorations(records)
  const archived = records.filter((record) => record.kind === 'archived')
  let chosen: ArchiveRecord[]
  if ('queue' in selection) {
    chosen = archived.filter(
      (record) => stampOf(record).from === selection.queue && !restored.has(record.offset),
    )
  } else {
    const byId = new Map(archived.map((record) => [archiveId(vhost, record.offset), record]))
    chosen = []
    for (const id of selection.ids) {
      const record = byId.get(id)
      if (!record) result.notFound.push(id)
      else if (restored.has(record.offset)) result.alreadyRestored.push(id)
      else chosen.push(record)
    }
  }
  progress.setTotal(chosen.length)
  const at = new Date().toISOString()
  const perQueue = new Map<string, { restored: number; failed: number }>()
  await services.pool.withConfirmChannel(vhost, async (channel) => {
    const publisher = new ConfirmedPublisher(channel)
    const arrived: Array<{ record: ArchiveRecord; from: string }> = []
    for (const record of chosen) {
      const from = stampOf(record).from ?? ''
      const original = originalOf(record)
      const counts = perQueue.get(from) ?? { restored: 0, failed: 0 }
      perQueue.set(from, counts)
      publisher.publish(
        from,
        original.content,
        republishOptions(original.properties, original.properties.headers ?? {}),
        (outcome) => {
          if (outcome === 'confirmed') {
            arrived.push({ record, from })
            counts.restored += 1
          } else {
            const failure: FailedMessage = {
              id: archiveId(vhost, record.offset),
              reason: describeOutcome(outcome, from),
            }
            result.failed.push(failure)
            counts.failed += 1
          }
          progress.advance()
        },
      )
    }
    await publisher.settled()
    for (const { record, from } of arrived) {
      const mark = services.archive.restoredMark(record.offset, { from, by: actor.name, at })
      publisher.publish(mark.routingKey, mark.content, mark.options, () => {})
    }
    await publisher.settled()
    publisher.dispose()
    result.restored += arrived.length
  })
  for (const [queue, counts] of perQueue) {
    await services.audit.record({
      actor,
      action: 'restore',
      target: auditTarget(vhost, queue),
      counts,
      outcome: counts.failed === 0 ? 'success' : counts.restored > 0 ? 'partial' : 'failure',
    })
  }
}
