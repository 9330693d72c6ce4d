// A SQLite dead-letter store in a temporary folder of its own, removed after the test file.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSqliteStore } from '../store/sqlite.js'
import type { DeadLetterStore } from '../store/types.js'

export async function openTestStore(): Promise<{ store: DeadLetterStore; drop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'warren-store-'))
  const store = createSqliteStore({ path: join(dir, 'dead-letters.db') })
  await store.init()
  return {
    store,
    async drop() {
      try {
        await store.close()
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}
