import { randomBytes } from 'node:crypto'
import type { Actor } from '../context.js'

/** Browser sessions: a random id in the cookie, the actor kept on the server. */
export interface SessionStore {
  create(actor: Actor): { id: string; expiresAt: number }
  get(id: string): Actor | undefined
  /** Ends a session; false when there was none with that id. */
  delete(id: string): boolean
}

export interface SessionLimits {
  /** Sessions one actor (token or person) may hold; a new login ends their oldest. @default 20 */
  perActor?: number
  /** Sessions in all; a new login ends the oldest of anyone's. @default 10000 */
  total?: number
  /** @default Date.now */
  now?: () => number
}

/**
 * In memory on purpose: a restart logs everyone out, which is acceptable for an operator console
 * and means no session secret ever touches the disk. Capped, so logging in in a loop costs
 * the oldest sessions, not the server's memory.
 */
export function createSessionStore(ttlMs: number, limits: SessionLimits = {}): SessionStore {
  const perActor = limits.perActor ?? 20
  const total = limits.total ?? 10_000
  const now = limits.now ?? Date.now
  // Insertion order is expiry order (one lifetime for all), so sweeping stops at the first live one.
  const sessions = new Map<string, { actor: Actor; expiresAt: number }>()
  const byActor = new Map<string, string[]>()
  const forget = (id: string) => {
    const session = sessions.get(id)
    if (!session) return false
    sessions.delete(id)
    const ids = byActor.get(session.actor.name) ?? []
    const left = ids.filter((other) => other !== id)
    if (left.length > 0) byActor.set(session.actor.name, left)
    else byActor.delete(session.actor.name)
    return true
  }
  const sweep = () => {
    for (const [id, session] of sessions) {
      if (session.expiresAt > now()) return
      forget(id)
    }
  }
  return {
    create(actor) {
      sweep()
      const own = byActor.get(actor.name) ?? []
      while (own.length >= perActor) forget(own.shift() as string)
      while (sessions.size >= total) forget(sessions.keys().next().value as string)
      const id = randomBytes(32).toString('base64url')
      const expiresAt = now() + ttlMs
      sessions.set(id, { actor: { ...actor }, expiresAt })
      byActor.set(actor.name, [...(byActor.get(actor.name) ?? []), id])
      return { id, expiresAt }
    },
    get(id) {
      const session = sessions.get(id)
      if (!session) return undefined
      if (session.expiresAt <= now()) {
        forget(id)
        return undefined
      }
      return session.actor
    },
    delete: forget,
  }
}
