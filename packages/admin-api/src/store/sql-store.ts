// The dead-letter store over SQL, written once for both databases: a driver runs statements and
// transactions, this decides what they are. So SQLite and PostgreSQL cannot drift apart.
import {
  DEAD_LETTER_COLUMNS,
  DEAD_LETTERS_FROM,
  insertValues,
  toDeadLetter,
  toNote,
} from './rows.js'
import { bulkMethods } from './sql-bulk.js'
import type { Executor, SqlDriver } from './sql-driver.js'
import { Params, filterClauses, heldWhere, queueClause } from './sql-filter.js'
import type { DeadLetterStore, GroupRow, NewDeadLetter } from './types.js'

export function createSqlStore(driver: SqlDriver): DeadLetterStore {
  const params = () => new Params(driver.dialect)
  /** Interned queue ids; an id never changes once committed. */
  const queueIds = new Map<string, number>()
  const queueKey = (vhost: string, queue: string) => `${vhost}\u0000${queue}`

  /** Committed on its own, before the batch: a queue row is harmless if the batch fails. */
  async function internQueues(batch: NewDeadLetter[]): Promise<void> {
    const missing = new Map<string, { vhost: string; queue: string }>()
    for (const { vhost, queue } of batch) {
      const key = queueKey(vhost, queue)
      if (!queueIds.has(key)) missing.set(key, { vhost, queue })
    }
    if (missing.size === 0) return
    const interned = await driver.transaction(async (tx) => {
      const ids: [string, number][] = []
      for (const [key, { vhost, queue }] of missing) {
        let p = params()
        await tx.run(
          p.query(
            `INSERT INTO queues (vhost, name) VALUES (${p.add(vhost)}, ${p.add(queue)}) ` +
              'ON CONFLICT (vhost, name) DO NOTHING',
          ),
        )
        p = params()
        const [row] = await tx.all(
          p.query(`SELECT id FROM queues WHERE vhost = ${p.add(vhost)} AND name = ${p.add(queue)}`),
        )
        ids.push([key, Number(row?.id)])
      }
      return ids
    })
    for (const [key, id] of interned) queueIds.set(key, id)
  }

  /** `queueId\0digest` of the rows the queues already hold among these redelivered ones. */
  async function storedDigests(tx: Executor, redelivered: NewDeadLetter[]): Promise<Set<string>> {
    const byQueue = new Map<number, string[]>()
    for (const letter of redelivered) {
      const id = queueIds.get(queueKey(letter.vhost, letter.queue)) as number
      const digests = byQueue.get(id) ?? []
      digests.push(letter.digest)
      byQueue.set(id, digests)
    }
    const stored = new Set<string>()
    for (const [id, digests] of byQueue) {
      const p = params()
      const rows = await tx.all(
        p.query(
          `SELECT DISTINCT d.digest FROM dead_letters d WHERE d.queue_id = ${p.add(id)} AND ` +
            p.in('d.digest', digests, 'text'),
        ),
      )
      for (const row of rows) stored.add(`${id}\u0000${String(row.digest)}`)
    }
    return stored
  }

  async function deadLetters(where: string, p: Params, tail = 'ORDER BY d.seq') {
    const rows = await driver.all(
      p.query(`SELECT ${DEAD_LETTER_COLUMNS} FROM ${DEAD_LETTERS_FROM} WHERE ${where} ${tail}`),
    )
    return rows.map(toDeadLetter)
  }

  return {
    kind: driver.kind,
    init: () => driver.init(),
    searchBacklog: async () => (await driver.searchBacklog?.()) ?? 0,
    close: () => driver.close(),

    async insert(batch) {
      if (batch.length === 0) return { inserted: 0, duplicates: 0 }
      await internQueues(batch)
      const result = await driver.transaction(async (tx) => {
        const held = await storedDigests(
          tx,
          batch.filter((letter) => letter.redelivered),
        )
        const rows: unknown[][] = []
        for (const letter of batch) {
          const id = queueIds.get(queueKey(letter.vhost, letter.queue)) as number
          const key = `${id}\u0000${letter.digest}`
          if (letter.redelivered && held.has(key)) continue
          // A redelivered copy later in this batch is a duplicate of this one.
          held.add(key)
          rows.push(insertValues(id, letter))
        }
        if (rows.length > 0) await driver.insertRows(tx, rows)
        return { inserted: rows.length, duplicates: batch.length - rows.length }
      })
      driver.written?.(result.inserted)
      return result
    },

    async count(vhost, queue, filter = {}) {
      const p = params()
      const where = heldWhere(p, vhost, queue, { filter })
      const [row] = await driver.all(
        p.query(`SELECT count(*) AS n FROM dead_letters d WHERE ${where}`),
      )
      return Number(row?.n ?? 0)
    },

    page(vhost, queue, filter, limit, offset) {
      // The seqs first, from the index alone: an offset deep in a queue steps over index
      // entries, and only the page's rows are read whole.
      const p = params()
      const where = heldWhere(p, vhost, queue, { filter })
      const seqs =
        `SELECT d.seq FROM dead_letters d WHERE ${where} ORDER BY d.seq ` +
        `LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`
      return deadLetters(`d.seq IN (${seqs})`, p)
    },

    get(vhost, queue, seqs) {
      const p = params()
      return deadLetters(`${queueClause(p, vhost, queue)} AND ${p.in('d.seq', seqs, 'bigint')}`, p)
    },

    async groups(vhost, queue, filter = {}) {
      let p = params()
      const rows = await driver.all(
        p.query(
          'SELECT d.fingerprint, d.original_queue, count(*) AS n, min(d.seen_at) AS first_seen, ' +
            'max(d.seen_at) AS last_seen, min(d.seq) AS first_seq FROM dead_letters d ' +
            `WHERE ${heldWhere(p, vhost, queue, { filter })} GROUP BY d.fingerprint, d.original_queue`,
        ),
      )
      const groups = new Map<string, GroupRow & { firstSeq: number }>()
      for (const row of rows) {
        const key = String(row.fingerprint)
        const [firstSeen, lastSeen, firstSeq] = [row.first_seen, row.last_seen, row.first_seq].map(
          Number,
        ) as [number, number, number]
        const group = groups.get(key) ?? {
          key,
          errorName: null,
          errorMessage: null,
          count: 0,
          firstSeen,
          lastSeen,
          originalQueues: [],
          firstSeq,
        }
        group.count += Number(row.n)
        group.firstSeen = Math.min(group.firstSeen, firstSeen)
        group.lastSeen = Math.max(group.lastSeen, lastSeen)
        group.firstSeq = Math.min(group.firstSeq, firstSeq)
        if (row.original_queue !== null) group.originalQueues.push(String(row.original_queue))
        groups.set(key, group)
      }
      p = params()
      const firsts = await driver.all(
        p.query(
          'SELECT d.seq, d.error_name, d.error_message FROM dead_letters d WHERE ' +
            p.in(
              'd.seq',
              [...groups.values()].map((group) => group.firstSeq),
              'bigint',
            ),
        ),
      )
      const firstBySeq = new Map(firsts.map((row) => [Number(row.seq), row]))
      return [...groups.values()]
        .map(({ firstSeq, ...group }) => {
          const first = firstBySeq.get(firstSeq)
          return {
            ...group,
            errorName: (first?.error_name as string | null) ?? null,
            errorMessage: (first?.error_message as string | null) ?? null,
            originalQueues: group.originalQueues.sort(),
          }
        })
        .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
    },

    async summaries() {
      const rows = await driver.all({
        sql:
          'SELECT q.vhost, q.name, count(d.seq) AS held, min(d.seen_at) AS oldest FROM queues q ' +
          `LEFT JOIN dead_letters d ON d.queue_id = q.id AND d.state = 'held' ` +
          'GROUP BY q.id, q.vhost, q.name ORDER BY q.vhost, q.name',
        values: [],
      })
      return rows.map((row) => ({
        vhost: String(row.vhost),
        queue: String(row.name),
        held: Number(row.held),
        oldest: row.oldest === null ? null : Number(row.oldest),
      }))
    },

    scan(vhost, queue, selection, afterSeq, limit) {
      const p = params()
      const where = `${heldWhere(p, vhost, queue, selection)} AND d.seq > ${p.add(afterSeq)}`
      return deadLetters(where, p, `ORDER BY d.seq LIMIT ${p.add(limit)}`)
    },

    ...bulkMethods(driver),

    async settle(vhost, queue, seqs, state, actor, operation) {
      const p = params()
      const rows = await driver.all(
        p.query(
          `UPDATE dead_letters AS d SET state = ${p.add(state)}, settled_at = ${p.add(Date.now())}, ` +
            `settled_by = ${p.add(actor)}, settled_by_operation = ${p.add(operation)} WHERE ` +
            `${heldWhere(p, vhost, queue, { seqs })} RETURNING seq`,
        ),
      )
      driver.written?.(rows.length)
      return rows.map((row) => Number(row.seq)).sort((a, b) => a - b)
    },

    async archived(vhost, queue, filter, limit, offset) {
      const where = (p: Params) =>
        [
          queue === undefined
            ? `d.queue_id IN (SELECT id FROM queues WHERE vhost = ${p.add(vhost)})`
            : queueClause(p, vhost, queue),
          `d.state = 'archived'`,
          ...filterClauses(p, filter),
        ].join(' AND ')
      let p = params()
      const [row] = await driver.all(
        p.query(`SELECT count(*) AS n FROM dead_letters d WHERE ${where(p)}`),
      )
      p = params()
      const items = await deadLetters(
        where(p),
        p,
        `ORDER BY d.settled_at DESC, d.seq DESC LIMIT ${p.add(limit)} OFFSET ${p.add(offset)}`,
      )
      return { total: Number(row?.n ?? 0), items }
    },

    // The actor is the audit's to record; a held row has no settler.
    async restore(vhost, seqs, _actor) {
      const p = params()
      const rows = await driver.all(
        p.query(
          `UPDATE dead_letters AS d SET state = 'held', settled_at = NULL, settled_by = NULL, ` +
            `settled_by_operation = NULL WHERE d.state = 'archived' AND d.queue_id IN ` +
            `(SELECT id FROM queues WHERE vhost = ${p.add(vhost)}) AND ` +
            `${p.in('d.seq', seqs, 'bigint')} RETURNING seq`,
        ),
      )
      return rows.map((row) => Number(row.seq)).sort((a, b) => a - b)
    },

    async addNote(note) {
      const p = params()
      const [row] = await driver.all(
        p.query(
          'INSERT INTO notes (vhost, queue, target, text, author, created_at) VALUES ' +
            `(${[note.vhost, note.queue, note.target, note.text, note.author, note.createdAt]
              .map((value) => p.add(value))
              .join(', ')}) RETURNING id`,
        ),
      )
      return { id: Number(row?.id), ...note }
    },

    async notes(vhost, queue, targets) {
      const p = params()
      const clauses = [`vhost = ${p.add(vhost)}`, `queue = ${p.add(queue)}`]
      if (targets) clauses.push(p.in('target', targets, 'text'))
      const rows = await driver.all(
        p.query(`SELECT * FROM notes WHERE ${clauses.join(' AND ')} ORDER BY created_at, id`),
      )
      return rows.map(toNote)
    },
  }
}
