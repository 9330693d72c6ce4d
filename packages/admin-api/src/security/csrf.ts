import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * CSRF defence for every state-changing request:
 * - an `Origin` header, when present, must be the request's own origin or the configured public
 *   origin (browsers always send it on cross-site POSTs);
 * - the body must be declared `application/json`, a type no cross-site form or simple request
 *   can send without a CORS preflight, which Warren never grants. DELETE is exempt because a
 *   browser cannot send it cross-site without a preflight either.
 */
export function csrf(publicOrigin: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next()
    const origin = c.req.header('origin')
    if (origin !== undefined) {
      const own = new URL(c.req.url).origin
      const host = c.req.header('host')
      const allowed = new Set([own, publicOrigin])
      if (host) allowed.add(`${new URL(c.req.url).protocol}//${host}`)
      if (!allowed.has(origin)) {
        throw new ApiError(403, 'cross-origin', 'Cross-origin request refused')
      }
    }
    if (c.req.method !== 'DELETE') {
      const type = c.req.header('content-type') ?? ''
      if (!/^application\/json\s*(;|$)/i.test(type)) {
        throw new ApiError(
          415,
          'unsupported-media-type',
          'Unsupported media type',
          'State-changing requests must send Content-Type: application/json',
        )
      }
    }
    return next()
  }
}
