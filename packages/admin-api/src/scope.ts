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
