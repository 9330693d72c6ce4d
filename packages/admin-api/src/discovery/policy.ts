import type { ManagementPolicy, ManagementQueue } from '../rabbit/management-schemas.js'

const APPLIES: Record<string, readonly string[]> = {
  all: ['classic', 'quorum', 'stream'],
  queues: ['classic', 'quorum', 'stream'],
  classic_queues: ['classic'],
  quorum_queues: ['quorum'],
  streams: ['stream'],
}

/**
 * The policy definition in force for a queue. The management API reports it as
 * `effective_policy_definition` once the queue's first stats arrive; until then (a freshly
 * declared queue) it is worked out from the policies, as the broker does: the matching policy
 * of highest priority wins.
 */
export function effectivePolicy(
  queue: ManagementQueue,
  policies: readonly ManagementPolicy[],
): { name: string | null; definition: Record<string, unknown> } {
  if (queue.effective_policy_definition !== undefined) {
    return { name: queue.policy ?? null, definition: queue.effective_policy_definition }
  }
  let best: ManagementPolicy | undefined
  for (const policy of policies) {
    if (policy.vhost !== queue.vhost) continue
    if (!(APPLIES[policy['apply-to']] ?? []).includes(queue.type)) continue
    if (!matches(policy.pattern, queue.name)) continue
    if (!best || policy.priority > best.priority) best = policy
  }
  return best ? { name: best.name, definition: best.definition } : { name: null, definition: {} }
}

function matches(pattern: string, name: string): boolean {
  try {
    return new RegExp(pattern).test(name)
  } catch {
    // Erlang's regex dialect differs slightly from JavaScript's; a pattern we can't read
    // matches nothing rather than everything.
    return false
  }
}
