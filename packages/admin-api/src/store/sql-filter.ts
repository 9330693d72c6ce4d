// The SQL both stores run, built once: a filter or a selection becomes the same WHERE clause on
// SQLite and PostgreSQL, and only the spelling of placeholders, lists and LIKE differs.
import type { DeadLetterFilter, Selection } from './types.js'

export type Dialect = 'sqlite' | 'postgres'

/** A statement and its bind values, in placeholder order. */
export interface Query {
  sql: string
  values: unknown[]
}

/**
 * Collects bind values and writes their placeholders in the dialect's spelling (`?` or `$n`).
 * Clauses must be written in the order their text appears, since SQLite's `?` are positional.
 */
export class Params {
  readonly values: unknown[] = []

  constructor(readonly dialect: Dialect) {}

  add(value: unknown): string {
    this.values.push(value)
    return this.dialect === 'postgres' ? `$${this.values.length}` : '?'
  }

  /** `column` is one of `values`, the list bound as one value whatever its length. */
  in(column: string, values: readonly (number | string)[], type: 'bigint' | 'text'): string {
    if (this.dialect === 'postgres') return `${column} = ANY(${this.add(values)}::${type}[])`
    return `${column} IN (SELECT value FROM json_each(${this.add(JSON.stringify(values))}))`
  }

  /**
   * `column` contains `needle`, case-insensitively, `%` and `_` taken literally. The column holds
   * lower-case text, so the needle is lowered here; PostgreSQL's ILIKE is the one its trigram
   * index serves, SQLite's LIKE is case-insensitive already.
   */
  contains(column: string, needle: string): string {
    const escaped = needle.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)
    const operator = this.dialect === 'postgres' ? 'ILIKE' : 'LIKE'
    return `${column} ${operator} ${this.add(`%${escaped}%`)} ESCAPE '\\'`
  }

  /**
   * A dead letter's search text contains `needle`. SQLite looks it up in the trigram index of
   * `dead_letters_search` (a needle of three characters or more: the index's unit) and scans only
   * the rows the indexer has not reached yet, so a search costs what it finds, not the queue's
   * depth; PostgreSQL's trigram index serves ILIKE itself.
   */
  search(needle: string): string {
    const lowered = needle.toLowerCase()
    if (this.dialect === 'sqlite' && [...lowered].length >= 3) {
      const phrase = `"${lowered.replace(/"/g, '""')}"`
      return (
        'd.seq IN (SELECT rowid FROM dead_letters_search ' +
        `WHERE dead_letters_search MATCH ${this.add(phrase)} ` +
        'UNION ALL SELECT t.seq FROM dead_letters t ' +
        'WHERE t.seq > (SELECT indexed_to FROM search_progress WHERE id = 1) AND ' +
        `${this.contains('t.search_text', lowered)})`
      )
    }
    return this.contains('d.search_text', lowered)
  }

  query(sql: string): Query {
    return { sql, values: this.values }
  }
}

/** The dead letters of one queue, by its interned id. */
export function queueClause(p: Params, vhost: string, queue: string): string {
  return `d.queue_id = (SELECT id FROM queues WHERE vhost = ${p.add(vhost)} AND name = ${p.add(queue)})`
}

/** One clause per filter field that is set; they are ANDed. */
export function filterClauses(p: Params, filter: DeadLetterFilter): string[] {
  const clauses: string[] = []
  const search = filter.search?.trim()
  if (search) clauses.push(p.search(search))
  const equal: [keyof DeadLetterFilter, string][] = [
    ['reason', 'd.reason'],
    ['errorName', 'd.error_name'],
    ['originalQueue', 'd.original_queue'],
    ['routingKey', 'd.original_routing_key'],
    ['group', 'd.fingerprint'],
  ]
  for (const [field, column] of equal) {
    const value = filter[field]
    if (value !== undefined) clauses.push(`${column} = ${p.add(value)}`)
  }
  // seen_at is coalesce(dead_lettered_at, intake_at), written at intake.
  if (filter.from !== undefined) clauses.push(`d.seen_at >= ${p.add(filter.from)}`)
  if (filter.to !== undefined) clauses.push(`d.seen_at < ${p.add(filter.to)}`)
  return clauses
}

export function selectionClauses(p: Params, selection: Selection): string[] {
  return 'seqs' in selection
    ? [p.in('d.seq', selection.seqs, 'bigint')]
    : filterClauses(p, selection.filter)
}

/** The held rows of a queue that a filter or selection matches. */
export function heldWhere(
  p: Params,
  vhost: string,
  queue: string,
  selection: Selection = { filter: {} },
): string {
  return [queueClause(p, vhost, queue), `d.state = 'held'`, ...selectionClauses(p, selection)].join(
    ' AND ',
  )
}
