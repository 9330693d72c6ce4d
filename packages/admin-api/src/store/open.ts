import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Logger } from '../security/logger.js'
import type { StoreSetting } from './custody.js'
import type { DeadLetterStore } from './types.js'

/**
 * Opens the configured store; null when it is `off`. The driver is loaded and the tables made in
 * the background: every call waits for that first, so the caller can use the store at once and
 * sees a failure to open it (a PostgreSQL that refuses, a file that cannot be written) on its first
 * call. Only the configured driver is loaded (no `pg` for SQLite, no native addon for PostgreSQL).
 */
export function openStore(
  setting: StoreSetting,
  log?: Pick<Logger, 'warn'>,
): DeadLetterStore | null {
  if (setting.kind === 'off') return null
  const opening = (async (): Promise<DeadLetterStore> => {
    let store: DeadLetterStore
    if (setting.kind === 'sqlite') {
      mkdirSync(dirname(setting.path), { recursive: true })
      const { createSqliteStore } = await import('./sqlite.js')
      store = createSqliteStore({ path: setting.path, ...(log ? { log } : {}) })
    } else {
      const { createPostgresStore } = await import('./postgres.js')
      store = createPostgresStore({ url: setting.url })
    }
    await store.init()
    return store
  })()
  // Seen by every call; not an unhandled rejection meanwhile.
  opening.catch(() => {})
  const kind = setting.kind
  return new Proxy({} as DeadLetterStore, {
    get(_, property) {
      if (property === 'kind') return kind
      if (property === 'then') return undefined
      return async (...args: unknown[]) => {
        const store = await opening
        if (property === 'init') return
        const method = Reflect.get(store, property) as (...a: unknown[]) => unknown
        return method.apply(store, args)
      }
    },
  })
}
