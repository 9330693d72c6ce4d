import { Hono } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { clientAddress } from '../auth/client-address.js'
import { refuseWhenBlocked, SESSION_COOKIE } from '../auth/middleware.js'
import type { Actor, AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
import type { Services } from './services.js'
import { valid } from './validate.js'

const loginBody = z.union([
  z.strictObject({ token: z.string().min(1).max(1024) }),
  z.strictObject({ username: z.string().min(1).max(255), password: z.string().min(1).max(1024) }),
])

/**
 * Log in with a token or a RabbitMQ user's name and password (sets the session cookie), ask who
 * you are, log out.
 */
export function sessionRoutes(s: Services) {
  return new Hono<AppEnv>()
    .post('/session', valid('json', loginBody), async (c) => {
      const body = c.req.valid('json')
      const ip = clientAddress(c, s.config.trustedProxies)
      // Guessing one user's password from many addresses is limited too.
      const keys = 'username' in body ? [ip, `user:${body.username}`] : [ip]
      for (const key of keys) refuseWhenBlocked(c, s.loginLimiter, key)
      const actor = 'token' in body ? s.tokens.verify(body.token) : await person(s, body)
      if (!actor) {
        for (const key of keys) s.loginLimiter.fail(key)
        await s.audit.record({
          actor: {
            name: 'username' in body ? body.username : 'anonymous',
            role: 'viewer',
            from: ip,
          },
          action: 'login',
          target: 'session',
          counts: {},
          outcome: 'failure',
          detail: 'token' in body ? 'invalid token' : 'invalid username or password',
        })
        if ('token' in body) throw new ApiError(401, 'invalid-token', 'Invalid token')
        throw new ApiError(401, 'invalid-credentials', 'Invalid username or password')
      }
      if (actor.vhosts !== undefined && Object.keys(actor.vhosts).length === 0) {
        throw new ApiError(
          403,
          'no-vhosts',
          'No vhost to show',
          'This user has no permissions on any vhost this API watches',
        )
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
      return c.json({ ...whoAmI(actor), expiresAt: new Date(session.expiresAt).toISOString() })
    })
    .get('/session', (c) => c.json(whoAmI(c.get('actor'))))
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

/** Name and role; a person's vhosts (with their role in each) too. */
const whoAmI = ({ name, role, vhosts }: Actor) => ({
  name,
  role,
  ...(vhosts === undefined ? {} : { vhosts }),
})

async function person(s: Services, body: { username: string; password: string }) {
  try {
    return await s.checkUser(body.username, body.password)
  } catch (error) {
    throw new ApiError(
      502,
      'management-unavailable',
      'RabbitMQ management API unavailable',
      'Cannot check the user now',
      { cause: error },
    )
  }
}
