import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StoreSetting } from './custody.js'
import { createPostgresStore } from './postgres.js'
import { createSqliteStore } from './sqlite.js'
import type { DeadLetterStore } from './types.js'

/**
 * Opens the configured store; null when it is `off`. Its tables are made in the background: every
 * call waits for that first, so the caller can use the store at once and sees a failure to open
 * it (a PostgreSQL that refuses, a file that cannot be written) on its first call.
 */
export function openStore(setting: StoreSetting): DeadLetterStore | null {
  if (setting.kind === 'off') return null
  let store: DeadLetterStore
  if (setting.kind === 'sqlite') {
    mkdirSync(dirname(setting.path), { recursive: true })
    store = createSqliteStore({ path: setting.path })
  } else {
    store = createPostgresStore({ url: setting.url })
  }
  const ready = store.init()
  // Seen by every call; not an unhandled rejection meanwhile.
  ready.catch(() => {})
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (typeof value !== 'function' || property === 'init') return value
      return async (...args: unknown[]) => {
        await ready
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}
