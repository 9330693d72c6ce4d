import type { Actor } from '../context.js'
import { ApiError } from '../errors.js'
import { scanQueue } from './scan.js'
import type { DeleteResult, PurgeResult } from './schemas.js'
import { audited, outcomeOf } from './services.js'
import type { DeadLetterServices } from './services.js'

// Delete and purge are the only ways a message leaves Warren's custody on purpose: each message
// is first copied to the archive stream, and removed only once that copy is confirmed.

export async function deleteMessages(
  services: DeadLetterServices,
  vhost: string,
  queue: string,
  request: { ids: string[]; operationId?: string | undefined },
  actor: Actor,
): Promise<DeleteResult> {
  return audited(
    services,
    { actor, action: 'delete', vhost, queue },
    () =>
      services.locks.with(vhost, queue, () =>
        services.operations.run(
          { id: request.operationId, kind: 'delete', vhost, queue },
          async (progress) => {
            const wanted = new Set(request.ids)
            const seen = new Set<string>()
            const outcome = await archiveAndRemove(
              services,
              vhost,
              queue,
              actor,
              progress,
              (id) => {
                if (!wanted.has(id)) return false
                seen.add(id)
                return true
              },
            )
            return {
              operationId: progress.id,
              deleted: outcome.moved.length,
              notFound: [...wanted].filter((id) => !seen.has(id)),
              failed: outcome.failed,
            }
          },
        ),
      ),
    (result) => ({
      counts: {
        deleted: result.deleted,
        notFound: result.notFound.length,
        failed: result.failed.length,
      },
      outcome: outcomeOf(result.deleted, result.notFound.length + result.failed.length),
    }),
  )
}

/** Checked before anything else: a wrong confirmation leaves the queue exactly as it was. */
export function assertPurgeConfirmed(confirm: string, queue: string): void {
  if (confirm !== queue) {
    throw new ApiError(
      400,
      'confirmation-mismatch',
      'Confirmation does not match',
      'Type the exact queue name in `confirm` to purge it',
    )
  }
}

export async function purge(
  services: DeadLetterServices,
  vhost: string,
  queue: string,
  request: { confirm: string; operationId?: string | undefined },
  actor: Actor,
): Promise<PurgeResult> {
  assertPurgeConfirmed(request.confirm, queue)
  return audited(
    services,
    { actor, action: 'purge', vhost, queue },
    () =>
      services.locks.with(vhost, queue, () =>
        services.operations.run(
          { id: request.operationId, kind: 'purge', vhost, queue },
          async (progress) => {
            const outcome = await archiveAndRemove(
              services,
              vhost,
              queue,
              actor,
              progress,
              () => true,
            )
            return {
              operationId: progress.id,
              purged: outcome.moved.length,
              failed: outcome.failed,
            }
          },
        ),
      ),
    (result) => ({
      counts: { purged: result.purged, failed: result.failed.length },
      outcome: outcomeOf(result.purged, result.failed.length),
    }),
  )
}

async function archiveAndRemove(
  services: DeadLetterServices,
  vhost: string,
  queue: string,
  actor: Actor,
  progress: Parameters<typeof scanQueue>[1]['progress'],
  pick: (id: string) => boolean,
) {
  const plan = await services.reader.plan(vhost, queue)
  const { messageCount } = await services.pool.checkQueue(vhost, queue)
  await services.archive.ensure(vhost)
  const stamp = { from: queue, by: actor.name, at: new Date().toISOString() }
  const outcome = await services.pool.withConfirmChannel(vhost, (channel) =>
    scanQueue(channel, {
      queue,
      count: messageCount,
      progress,
      leftAlone: plan.mode,
      handBack: plan.handBack,
      decide: (message, id) => (pick(id) ? services.archive.copyOf(message, stamp) : null),
    }),
  )
  services.reader.forget(vhost, queue)
  services.ages.forget(vhost, queue)
  return outcome
}
