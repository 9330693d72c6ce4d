import { randomBytes } from 'node:crypto'
import type { Actor } from '../context.js'

/** Browser sessions: a random id in the cookie, the actor kept on the server. */
export interface SessionStore {
  create(actor: Actor): { id: string; expiresAt: number }
  get(id: string): Actor | undefined
  delete(id: string): void
}

/**
 * In memory on purpose: a restart logs everyone out, which is acceptable for an operator console
 * and means no session secret ever touches the disk.
 */
export function createSessionStore(ttlMs: number, now: () => number = Date.now): SessionStore {
  const sessions = new Map<string, { actor: Actor; expiresAt: number }>()
  const sweep = () => {
    for (const [id, session] of sessions) if (session.expiresAt <= now()) sessions.delete(id)
  }
  return {
    create(actor) {
      sweep()
      const id = randomBytes(32).toString('base64url')
      const expiresAt = now() + ttlMs
      sessions.set(id, { actor: { name: actor.name, role: actor.role }, expiresAt })
      return { id, expiresAt }
    },
    get(id) {
      const session = sessions.get(id)
      if (!session) return undefined
      if (session.expiresAt <= now()) {
        sessions.delete(id)
        return undefined
      }
      return session.actor
    },
    delete(id) {
      sessions.delete(id)
    },
  }
}
