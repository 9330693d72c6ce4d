// Starting and watching bulk operations in tests: a requeue request, its start, and a poll until
// the operation gets where the test waits for it.
import type { Actor } from '../context.js'
import type { BulkOperationView } from '../operations/bulk-schemas.js'
import type { BulkRunner, BulkStart } from '../operations/bulk.js'

export const actor: Actor = { name: 'test', role: 'operator' }

/** A requeue of `group-a` (as `deadLettersOf` writes them), unpaced, unless `rest` says else. */
export function request(vhost: string, queue: string, rest: Partial<BulkStart> = {}): BulkStart {
  return {
    action: 'requeue',
    vhost,
    queue,
    selection: { filter: { group: 'group-a' } },
    target: null,
    rate: null,
    actor,
    dryRun: false,
    ...rest,
  }
}

export async function started(runner: BulkRunner, start: BulkStart): Promise<BulkOperationView> {
  const result = await runner.start(start)
  if (result.dryRun) throw new Error('expected an operation')
  return result.operation
}

/** Polls `runner` every 50 ms, for up to 30 s, until `done` holds of the operation's view. */
export async function until(
  runner: BulkRunner,
  id: string,
  done: (view: BulkOperationView) => boolean,
): Promise<BulkOperationView> {
  for (let i = 0; i < 600; i += 1) {
    const view = await runner.get(id)
    if (view && done(view)) return view
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`operation ${id} never got there`)
}

export const finished = (view: BulkOperationView) => !['running', 'pending'].includes(view.status)
