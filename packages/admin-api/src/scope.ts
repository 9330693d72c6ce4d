import type { Actor } from './context.js'
import type { Discovery } from './discovery/index.js'
import { ApiError } from './errors.js'
import { isPattern, matchesPattern } from './patterns.js'

/**
 * The vhosts an admin API watches (`WARREN_VHOSTS`: names, `*` matching any run of characters);
 * `undefined` means every vhost. Nothing outside them is listed, counted, alerted on or read over
 * AMQP: a head peek or a browse holds messages for a moment, which an operator of another vhost
 * would not expect, and the dead-letter store takes custody only of their dead-letter queues.
 */
export type VhostScope = readonly string[] | undefined

export function inScope(scope: VhostScope, vhost: string): boolean {
  return scope === undefined || scope.some((entry) => matchesPattern(entry, vhost))
}

/** Whether the scope names vhosts by pattern, so they are known only from the broker's lists. */
export const scopeHasPatterns = (scope: VhostScope): boolean =>
  scope !== undefined && scope.some(isPattern)

/** A vhost outside the scope is as unknown as one that doesn't exist: 404. */
export function assertInScope(scope: VhostScope, vhost: string): void {
  if (!inScope(scope, vhost)) {
    throw new ApiError(404, 'not-found', 'Not found', 'No such vhost among those this API watches')
  }
}

/** Whether `actor` may see `vhost`: a token every vhost, a person those they have permissions on. */
export function canSee(actor: Actor | undefined, vhost: string): boolean {
  return actor?.vhosts === undefined || Object.hasOwn(actor.vhosts, vhost)
}

/**
 * 404 when `actor` may not see `vhost` (as for a vhost outside the scope), 403 when `write` and
 * they are not an operator there.
 */
export function assertVisible(actor: Actor | undefined, vhost: string, write = false): void {
  if (!canSee(actor, vhost)) {
    throw new ApiError(404, 'not-found', 'Not found', 'No such vhost among those you may see')
  }
  const role = actor?.vhosts?.[vhost] ?? actor?.role
  if (write && role !== 'operator') {
    throw new ApiError(403, 'forbidden', 'Forbidden', 'This action needs the operator role here')
  }
}

/** Discovery as `actor` sees it: only the queues of their vhosts, after the shared cache. */
export function visibleDiscovery(discovery: Discovery, actor: Actor | undefined): Discovery {
  if (actor?.vhosts === undefined) return discovery
  return {
    async topology(vhost, options) {
      if (vhost !== undefined && !canSee(actor, vhost)) return { at: Date.now(), queues: [] }
      const topology = await discovery.topology(vhost, options)
      return { ...topology, queues: topology.queues.filter((q) => canSee(actor, q.vhost)) }
    },
  }
}
