// A SQLite dead-letter store in a temporary folder of its own, removed after the test file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStore } from '../store/sqlite.js'
import type { DeadLetterStore } from '../store/types.js'

export async function openTestStore(): Promise<{
  store: DeadLetterStore
  /** Another store on the same file, as a second admin API instance opens it. */
  another(): DeadLetterStore
  drop(): Promise<void>
}> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-store-'))
  const path = join(dir, 'dead-letters.db')
  const store = createSqliteStore({ path })
  await store.init()
  return {
    store,
    another: () => createSqliteStore({ path }),
    async drop() {
      try {
        await store.close()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
