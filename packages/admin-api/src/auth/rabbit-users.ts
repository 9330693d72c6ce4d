import { z } from 'zod'
import type { Actor, Role } from '../context.js'
import { inScope, type VhostScope } from '../scope.js'

/** Checks a RabbitMQ user's name and password; the person they are, or undefined. */
export type UserCheck = (username: string, password: string) => Promise<Actor | undefined>

export interface UserCheckOptions {
  /** Management API base URLs, tried in turn. */
  urls: readonly string[]
  /** Warren's own management user, which reads the person's permissions. */
  user: string
  password: string
  /** The vhosts the API watches; a person's others are left out. */
  vhosts: VhostScope
  timeoutMs: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

const whoami = z.object({
  name: z.string(),
  // An array in 3.12+, a comma-separated string before.
  tags: z
    .union([z.array(z.string()), z.string()])
    .transform((tags) => (Array.isArray(tags) ? tags : tags.split(',').filter(Boolean))),
})
const permissions = z.array(z.object({ vhost: z.string(), write: z.string() }))

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

/**
 * A RabbitMQ user's role in a vhost: `administrator`, or `management`/`policymaker` with write
 * permission there, operates; `monitoring`, or no write permission, views.
 */
export function roleIn(tags: readonly string[], write: string): Role {
  const manages = tags.some((tag) => ['administrator', 'management', 'policymaker'].includes(tag))
  return manages && write !== '' ? 'operator' : 'viewer'
}

/**
 * Asks the management API who `username` is with their own credentials (`/api/whoami`), then,
 * as Warren, what they may do where (`/api/users/:name/permissions`). The password goes into
 * one Authorization header and nowhere else: not into the session, not into a log line.
 */
export function createUserCheck(options: UserCheckOptions): UserCheck {
  const doFetch = options.fetch ?? globalThis.fetch
  const get = async (path: string, authorization: string): Promise<Response> => {
    let failure: unknown
    for (const base of options.urls) {
      try {
        const response = await doFetch(`${base}${path}`, {
          headers: { authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(options.timeoutMs),
        })
        if (response.status < 500) return response
        await response.body?.cancel()
      } catch (error) {
        failure = error
      }
    }
    throw new Error('no management API answered', { cause: failure })
  }
  return async (username, password) => {
    const me = await get('/api/whoami', basic(username, password))
    if (me.status !== 200) {
      await me.body?.cancel()
      return undefined
    }
    const { name, tags } = whoami.parse(await me.json())
    const listed = await get(
      `/api/users/${encodeURIComponent(name)}/permissions`,
      basic(options.user, options.password),
    )
    if (!listed.ok) throw new Error(`reading permissions answered ${listed.status}`)
    const vhosts: Record<string, Role> = {}
    for (const { vhost, write } of permissions.parse(await listed.json())) {
      if (inScope(options.vhosts, vhost)) vhosts[vhost] = roleIn(tags, write)
    }
    const operates = Object.values(vhosts).includes('operator')
    return { name, role: operates ? 'operator' : 'viewer', vhosts }
  }
}
