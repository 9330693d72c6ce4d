import { ApiError } from './errors.js'

/**
 * The vhosts an admin API watches (`WARREN_VHOSTS`); `undefined` means every vhost. Nothing
 * outside them is listed, counted, alerted on or read over AMQP: a head peek or a browse holds
 * messages for a moment, which an operator of another vhost would not expect.
 */
export type VhostScope = readonly string[] | undefined

export function inScope(scope: VhostScope, vhost: string): boolean {
  return scope === undefined || scope.includes(vhost)
}

/** A vhost outside the scope is as unknown as one that doesn't exist: 404. */
export function assertInScope(scope: VhostScope, vhost: string): void {
  if (!inScope(scope, vhost)) {
    throw new ApiError(404, 'not-found', 'Not found', 'No such vhost among those this API watches')
  }
}
