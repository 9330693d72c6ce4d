import type { MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import type { SessionStore } from './sessions.js'
import type { TokenVerifier } from './tokens.js'

export const SESSION_COOKIE = 'warren_session'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Paths under /api that need no credentials. */
const isOpen = (method: string, path: string) =>
  path === '/api/health' || (method === 'POST' && path === '/api/session')

/**
 * Establishes `c.get('actor')` from `Authorization: Bearer <token>` or the session cookie, then
 * requires the operator role for every state-changing request (except logging in and out).
 */
export function authenticate(
  tokens: TokenVerifier,
  sessions: SessionStore,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization')
    const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
    const sessionId = getCookie(c, SESSION_COOKIE)
    const actor = bearer ? tokens.verify(bearer) : sessionId ? sessions.get(sessionId) : undefined
    if (isOpen(c.req.method, c.req.path)) {
      // Open to anyone; a caller who is known may be told more (health: which node answered).
      if (actor) c.set('actor', actor)
      return next()
    }
    if (!actor) {
      throw new ApiError(
        401,
        'unauthorized',
        'Unauthorized',
        'A valid token or session is required',
      )
    }
    c.set('actor', actor)
    if (
      !SAFE_METHODS.has(c.req.method) &&
      c.req.path !== '/api/session' &&
      actor.role !== 'operator'
    ) {
      throw new ApiError(403, 'forbidden', 'Forbidden', 'This action needs the operator role')
    }
    return next()
  }
}
