import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { clientAddress } from '../auth/client-address.js'
import { refuseWhenBlocked, SESSION_COOKIE } from '../auth/middleware.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const loginBody = z.object({ token: z.string().min(1).max(1024) })

/** Log in with a token (sets the session cookie), ask who you are, log out. */
export function sessionRoutes(s: Services) {
  return new Hono<AppEnv>()
    .post('/session', valid('json', loginBody), async (c) => {
      const ip = clientAddress(c, s.config.trustedProxies)
      refuseWhenBlocked(c, s.loginLimiter, ip)
      const actor = s.tokens.verify(c.req.valid('json').token)
      if (!actor) {
        s.loginLimiter.fail(ip)
        await s.audit.record({
          actor: { name: 'anonymous', role: 'viewer', from: ip },
          action: 'login',
          target: 'session',
          counts: {},
          outcome: 'failure',
          detail: 'invalid token',
        })
        throw new ApiError(401, 'invalid-token', 'Invalid token')
      }
      const session = s.sessions.create(actor)
      setCookie(c, SESSION_COOKIE, session.id, {
        httpOnly: true,
        sameSite: 'Strict',
        path: '/',
        // Behind a TLS-terminating proxy the request itself arrives over http.
        secure:
          new URL(c.req.url).protocol === 'https:' ||
          (s.config.publicOrigin?.startsWith('https:') ?? false),
        maxAge: Math.floor(s.config.sessionTtlMs / 1000),
      })
      await s.audit.record({
        actor: { ...actor, from: ip },
        action: 'login',
        target: 'session',
        counts: {},
        outcome: 'success',
      })
      return c.json({
        name: actor.name,
        role: actor.role,
        expiresAt: new Date(session.expiresAt).toISOString(),
      })
    })
    .get('/session', (c) => {
      const actor = c.get('actor')
      return c.json({ name: actor.name, role: actor.role })
    })
    .delete('/session', async (c) => {
      const id = getCookie(c, SESSION_COOKIE)
      const ended = id !== undefined && s.sessions.delete(id)
      deleteCookie(c, SESSION_COOKIE, { path: '/' })
      // A bearer token has no session to end: nothing happened, so nothing is recorded.
      if (!ended) return c.body(null, 204)
      await s.audit.record({
        actor: c.get('actor'),
        action: 'logout',
        target: 'session',
        counts: {},
        outcome: 'success',
      })
      return c.body(null, 204)
    })
}
