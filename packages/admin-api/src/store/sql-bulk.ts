// Bulk operations over SQL, for both databases: the operation, its snapshot of seqs and its
// progress live in the store, so an operation survives a restart and holds its queue's lock
// across every admin API instance on the same database.
import { DEAD_LETTER_COLUMNS, parseJson, toBulk, toDeadLetter } from './rows.js'
import type { SqlDriver } from './sql-driver.js'
import { Params, heldWhere } from './sql-filter.js'
import { leaseMethods } from './sql-lease.js'
import type { BulkRecord, DeadLetterStore } from './types.js'

/** Failures kept on an operation: the latest few, for the console to show why. */
const KEPT_FAILURES = 10
const ACTIVE_BULK = `status IN ('pending', 'running', 'paused')`

type BulkMethods = Pick<
  DeadLetterStore,
  | 'createBulk'
  | 'getBulk'
  | 'unfinishedBulks'
  | 'listBulks'
  | 'nextBulkItems'
  | 'settleBulkItems'
  | 'updateBulk'
  | 'claimBulk'
  | 'renewBulks'
  | 'releaseBulk'
>

export function bulkMethods(driver: SqlDriver): BulkMethods {
  const params = () => new Params(driver.dialect)

  async function getBulk(id: string): Promise<BulkRecord | null> {
    const p = params()
    const [row] = await driver.all(p.query(`SELECT * FROM bulks WHERE id = ${p.add(id)}`))
    return row ? toBulk(row) : null
  }

  /** Marks pending items skipped, their rows settled some other way, and counts them. */
  function skip(id: string, seqs: number[]): Promise<void> {
    return driver.transaction(async (tx) => {
      let p = params()
      const skipped = await tx.run(
        p.query(
          `UPDATE bulk_items SET status = 'skipped' WHERE op_id = ${p.add(id)} AND ` +
            `status = 'pending' AND ${p.in('seq', seqs, 'bigint')}`,
        ),
      )
      p = params()
      await tx.run(
        p.query(
          `UPDATE bulks SET skipped = skipped + ${p.add(skipped)}, updated_at = ` +
            `${p.add(Date.now())} WHERE id = ${p.add(id)}`,
        ),
      )
    })
  }

  return {
    createBulk(record) {
      const lock = { vhost: record.vhost, queue: record.queue }
      return driver.transaction(async (tx) => {
        let p = params()
        const [holder] = await tx.all(
          p.query(
            `SELECT * FROM bulks WHERE vhost = ${p.add(record.vhost)} AND queue = ` +
              `${p.add(record.queue)} AND ${ACTIVE_BULK} ORDER BY created_at LIMIT 1`,
          ),
        )
        if (holder) return { ok: false as const, locked: toBulk(holder) }
        p = params()
        const values = [
          record.id,
          record.action,
          record.vhost,
          record.queue,
          record.target,
          JSON.stringify(record.selection),
          record.rate,
          record.status,
          0,
          0,
          0,
          '[]',
          record.actor,
          record.createdAt,
          record.updatedAt,
          record.finishedAt,
          record.error,
          record.owner,
          record.leaseUntil,
        ].map((value) => p.add(value))
        await tx.run(
          p.query(
            'INSERT INTO bulks (id, action, vhost, queue, target, selection, rate, status, total, ' +
              'done, failed, failures, actor, created_at, updated_at, finished_at, error, owner, ' +
              `lease_until) VALUES (${values.join(', ')})`,
          ),
        )
        p = params()
        const snapshot =
          `INSERT INTO bulk_items (op_id, seq, status) SELECT ${p.add(record.id)}, d.seq, ` +
          `'pending' FROM dead_letters d WHERE ${heldWhere(p, record.vhost, record.queue, record.selection)}`
        const total = await tx.run(p.query(snapshot))
        p = params()
        await tx.run(
          p.query(`UPDATE bulks SET total = ${p.add(total)} WHERE id = ${p.add(record.id)}`),
        )
        return { ok: true as const, total }
      }, lock)
    },

    getBulk,

    async unfinishedBulks() {
      const rows = await driver.all({
        sql: `SELECT * FROM bulks WHERE ${ACTIVE_BULK} ORDER BY created_at, id`,
        values: [],
      })
      return rows.map(toBulk)
    },

    async listBulks(vhost, queue, limit) {
      const p = params()
      const rows = await driver.all(
        p.query(
          `SELECT * FROM bulks WHERE vhost = ${p.add(vhost)} AND queue = ${p.add(queue)} ` +
            `ORDER BY created_at DESC, id DESC LIMIT ${p.add(limit)}`,
        ),
      )
      return rows.map(toBulk)
    },

    async nextBulkItems(id, limit) {
      for (;;) {
        // The next pending items by the snapshot's index, each with its row when still held.
        const p = params()
        const rows = await driver.all(
          p.query(
            `SELECT b.seq AS item_seq, ${DEAD_LETTER_COLUMNS} FROM bulk_items b ` +
              `LEFT JOIN dead_letters d ON d.seq = b.seq AND d.state = 'held' ` +
              'LEFT JOIN queues q ON q.id = d.queue_id ' +
              `WHERE b.op_id = ${p.add(id)} AND b.status = 'pending' ` +
              `ORDER BY b.seq LIMIT ${p.add(limit)}`,
          ),
        )
        const gone = rows.filter((row) => row.seq === null).map((row) => Number(row.item_seq))
        if (gone.length > 0) await skip(id, gone)
        const held = rows.filter((row) => row.seq !== null)
        // A page of settled rows only: the next page, now that these are out of the way.
        if (held.length > 0 || rows.length < limit) return held.map(toDeadLetter)
      }
    },

    async settleBulkItems(id, done, state, failures, actor, progress = {}) {
      const now = Date.now()
      await driver.transaction(async (tx) => {
        let p = params()
        if (done.length > 0) {
          await tx.run(
            p.query(
              `UPDATE dead_letters AS d SET state = ${p.add(state)}, settled_at = ${p.add(now)}, ` +
                `settled_by = ${p.add(actor)}, settled_by_operation = ${p.add(id)} ` +
                `WHERE d.state = 'held' AND ${p.in('d.seq', done, 'bigint')}`,
            ),
          )
        }
        for (const [status, seqs] of [
          ['done', done],
          ['failed', failures.map((failure) => failure.seq)],
        ] as const) {
          if (seqs.length === 0) continue
          p = params()
          await tx.run(
            p.query(
              `UPDATE bulk_items SET status = ${p.add(status)} WHERE op_id = ${p.add(id)} AND ` +
                p.in('seq', seqs, 'bigint'),
            ),
          )
        }
        p = params()
        const [row] = await tx.all(p.query(`SELECT failures FROM bulks WHERE id = ${p.add(id)}`))
        if (!row) return
        const kept = [...(parseJson(row.failures) as BulkRecord['failures']), ...failures]
        p = params()
        // In the text's order: SQLite's placeholders are positional.
        const sets = [
          `done = done + ${p.add(done.length)}`,
          `failed = failed + ${p.add(failures.length)}`,
          `failures = ${p.add(JSON.stringify(kept.slice(-KEPT_FAILURES)))}`,
          `possible_duplicates = possible_duplicates + ${p.add(progress.possibleDuplicates ?? 0)}`,
          `updated_at = ${p.add(now)}`,
        ]
        if (progress.measuredRate !== undefined) {
          sets.push(`measured_rate = ${p.add(progress.measuredRate)}`)
        }
        await tx.run(p.query(`UPDATE bulks SET ${sets.join(', ')} WHERE id = ${p.add(id)}`))
      })
      driver.written?.(done.length)
    },

    async updateBulk(id, patch) {
      const p = params()
      const columns = { status: 'status', rate: 'rate', error: 'error', finishedAt: 'finished_at' }
      const sets = Object.entries(columns)
        .filter(([field]) => patch[field as keyof typeof patch] !== undefined)
        .map(([field, column]) => `${column} = ${p.add(patch[field as keyof typeof patch])}`)
      sets.push(`updated_at = ${p.add(Date.now())}`)
      const [row] = await driver.all(
        p.query(`UPDATE bulks SET ${sets.join(', ')} WHERE id = ${p.add(id)} RETURNING *`),
      )
      return row ? toBulk(row) : null
    },

    ...leaseMethods(driver),
  }
}
