import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import { clientAddress } from './client-address.js'
import type { RateLimiter } from './rate-limit.js'
import type { SessionStore } from './sessions.js'
import type { TokenVerifier } from './tokens.js'

export const SESSION_COOKIE = 'warren_session'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Paths under /api that need no credentials. */
const isOpen = (method: string, path: string) =>
  path === '/api/health' || (method === 'POST' && path === '/api/session')

export interface AuthParts {
  tokens: TokenVerifier
  sessions: SessionStore
  /** Failed credentials per client address; the same limiter as logins. */
  limiter: RateLimiter
  trustedProxies: readonly string[]
}

/** 429 with `Retry-After` when `key` has failed too often. */
export function refuseWhenBlocked(c: Context, limiter: RateLimiter, key: string): void {
  const wait = limiter.blocked(key)
  if (wait === 0) return
  c.header('Retry-After', String(wait))
  throw new ApiError(429, 'too-many-attempts', 'Too many failed attempts', `Try again in ${wait} s`)
}

/**
 * Establishes `c.get('actor')` from `Authorization: Bearer <token>` or the session cookie, then
 * requires the operator role for every state-changing request (except logging in and out).
 * Wrong bearer tokens count against the client's address, as wrong logins do: guessing a token
 * request by request is no faster than guessing it at the login.
 */
export function authenticate(parts: AuthParts): MiddlewareHandler<AppEnv> {
  const { tokens, sessions, limiter, trustedProxies } = parts
  return async (c, next) => {
    const header = c.req.header('authorization')
    const bearer = header && /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim()
    const sessionId = getCookie(c, SESSION_COOKIE)
    const open = isOpen(c.req.method, c.req.path)
    let actor
    if (bearer) {
      const address = clientAddress(c, trustedProxies)
      if (!open) refuseWhenBlocked(c, limiter, address)
      actor = tokens.verify(bearer)
      if (!actor && !open) limiter.fail(address)
    } else if (sessionId) {
      actor = sessions.get(sessionId)
    }
    if (open) {
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
    c.set('actor', { ...actor, from: clientAddress(c, trustedProxies) })
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
