import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

// The SQLite store's search index, filled behind the intake. A trigram index costs about a
// millisecond per dead letter to write (every three characters of its text are a term): written
// in the intake's own transaction it would cut custody to a tenth of its pace, on the thread that
// answers the console. So a worker thread, on a connection of its own, indexes what was committed,
// in order of seq, and records how far it got (`search_progress.indexed_to`); a search takes the
// index up to there and scans the rows after it (sql-filter.ts), so its answer is exact at any
// moment and costs what it finds once the indexer has caught up.

/** Rows per indexing transaction: each holds the file's write lock for some tens of ms. */
const BATCH = 200
/** How long the indexer rests when it has caught up. */
const IDLE_MS = 200
/** The least it rests between two batches, leaving the write lock to the intake. */
const REST_MS = 15

// Plain JavaScript: a worker does not go through the TypeScript loader that runs this file.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driver)
const db = new Database(workerData.path)
db.pragma('journal_mode = WAL')
// The index can always be made again from the rows: a commit lost to a power cut costs nothing.
db.pragma('synchronous = NORMAL')
db.pragma('busy_timeout = 5000')
const progress = db.prepare('SELECT indexed_to AS seq FROM search_progress WHERE id = 1')
const last = db.prepare(
  'SELECT max(seq) AS seq FROM (SELECT seq FROM dead_letters WHERE seq > ? ORDER BY seq LIMIT ?)',
)
const add = db.prepare(
  'INSERT INTO dead_letters_search (rowid, search_text) ' +
    'SELECT seq, search_text FROM dead_letters WHERE seq > ? AND seq <= ?',
)
const mark = db.prepare('UPDATE search_progress SET indexed_to = ? WHERE id = 1')
const step = db.transaction(() => {
  const from = progress.get().seq
  const to = last.get(from, workerData.batch).seq
  if (to === null) return 0
  add.run(from, to)
  mark.run(to)
  return to - from
})
let stopping = false
parentPort.on('message', (message) => {
  if (message === 'stop') stopping = true
})
function run() {
  if (stopping) {
    db.close()
    parentPort.postMessage('stopped')
    return
  }
  let indexed = 0
  const started = Date.now()
  try {
    indexed = step.immediate()
  } catch (error) {
    // Another writer held the file past the busy timeout: the next round tries again.
    if (error.code !== 'SQLITE_BUSY') throw error
  }
  // Custody first: after a batch the file's write lock is left free as long as the batch held
  // it, so the intake (which waits for the lock on timers) is never starved by the indexer.
  const held = Date.now() - started
  setTimeout(run, indexed > 0 ? Math.max(held, workerData.restMs) : workerData.idleMs)
}
run()
`

export interface SearchIndexer {
  /** Stops after the batch in hand; resolves once the worker closed its connection. */
  close(): Promise<void>
}

/**
 * Starts indexing the store file at `path`. A failure of the worker (the file removed under it)
 * is given to `onError`; search stays exact without it, by scanning what it did not index.
 */
export function startSearchIndexer(path: string, onError: (error: Error) => void): SearchIndexer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { path, driver, batch: BATCH, idleMs: IDLE_MS, restMs: REST_MS },
  })
  // The indexer never keeps the process alive on its own.
  worker.unref()
  let failed = false
  worker.on('error', (error) => {
    failed = true
    onError(error)
  })
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
  return {
    async close() {
      if (failed) return
      const stopped = new Promise<void>((resolve) =>
        worker.on('message', (message) => message === 'stopped' && resolve()),
      )
      worker.postMessage('stop')
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5_000).unref())
      // Once its connection is closed the worker is ended (its message port would keep it up).
      await Promise.race([stopped, exited, timeout])
      await worker.terminate()
    },
  }
}
