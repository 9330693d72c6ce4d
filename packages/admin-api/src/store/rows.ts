// Rows as both databases return them, turned into the contract's records. PostgreSQL gives
// bigint as a string and jsonb as a value; SQLite gives JSON as text.
import type {
  BulkRecord,
  NewDeadLetter,
  NoteRecord,
  StoredDeadLetter,
  StoredState,
} from './types.js'

export type Row = Record<string, unknown>

/** A dead letter's columns, from `dead_letters d JOIN queues q`. */
export const DEAD_LETTER_COLUMNS =
  'd.seq, q.vhost, q.name AS queue, d.state, d.content, d.properties, d.header_table, d.exchange, ' +
  'd.routing_key, d.digest, d.intake_at, d.message_id, d.dead_lettered_at, d.reason, d.error_name, ' +
  'd.error_message, d.original_queue, d.original_routing_key, d.fingerprint, d.settled_at, ' +
  'd.settled_by, d.settled_by_operation'

export const DEAD_LETTERS_FROM = 'dead_letters d JOIN queues q ON q.id = d.queue_id'

/** What intake writes, in the order of `insertValues`. */
export const INSERT_COLUMNS = [
  'queue_id',
  'content',
  'properties',
  'header_table',
  'exchange',
  'routing_key',
  'digest',
  'intake_at',
  'seen_at',
  'message_id',
  'dead_lettered_at',
  'reason',
  'error_name',
  'error_message',
  'original_queue',
  'original_routing_key',
  'fingerprint',
  'search_text',
] as const

export function insertValues(queueId: number, letter: NewDeadLetter): unknown[] {
  return [
    queueId,
    letter.content,
    JSON.stringify(letter.properties),
    letter.headerTable,
    letter.exchange,
    letter.routingKey,
    letter.digest,
    letter.intakeAt,
    letter.deadLetteredAt ?? letter.intakeAt,
    letter.messageId,
    letter.deadLetteredAt,
    letter.reason,
    letter.errorName,
    letter.errorMessage,
    letter.originalQueue,
    letter.originalRoutingKey,
    letter.fingerprint,
    letter.searchText,
  ]
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value))
const number = (value: unknown) => (value === null || value === undefined ? null : Number(value))
/** SQLite keeps JSON as text, PostgreSQL's jsonb arrives parsed. */
export const parseJson = (value: unknown): unknown =>
  typeof value === 'string' ? JSON.parse(value) : value

export function toDeadLetter(row: Row): StoredDeadLetter {
  return {
    seq: Number(row.seq),
    vhost: String(row.vhost),
    queue: String(row.queue),
    state: row.state as StoredState,
    content: row.content as Buffer,
    properties: parseJson(row.properties) as Record<string, unknown>,
    headerTable: (row.header_table as Buffer | null) ?? null,
    exchange: String(row.exchange),
    routingKey: String(row.routing_key),
    digest: String(row.digest),
    intakeAt: Number(row.intake_at),
    messageId: text(row.message_id),
    deadLetteredAt: number(row.dead_lettered_at),
    reason: text(row.reason),
    errorName: text(row.error_name),
    errorMessage: text(row.error_message),
    originalQueue: text(row.original_queue),
    originalRoutingKey: text(row.original_routing_key),
    fingerprint: String(row.fingerprint),
    settledAt: number(row.settled_at),
    settledBy: text(row.settled_by),
    settledByOperation: text(row.settled_by_operation),
  }
}

export function toBulk(row: Row): BulkRecord {
  return {
    id: String(row.id),
    action: row.action as BulkRecord['action'],
    vhost: String(row.vhost),
    queue: String(row.queue),
    target: text(row.target),
    selection: parseJson(row.selection) as BulkRecord['selection'],
    rate: number(row.rate),
    status: row.status as BulkRecord['status'],
    total: Number(row.total),
    done: Number(row.done),
    failed: Number(row.failed),
    skipped: Number(row.skipped),
    failures: parseJson(row.failures) as BulkRecord['failures'],
    actor: String(row.actor),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    finishedAt: number(row.finished_at),
    error: text(row.error),
    owner: text(row.owner),
    leaseUntil: Number(row.lease_until),
    measuredRate: number(row.measured_rate),
    possibleDuplicates: Number(row.possible_duplicates),
  }
}

export function toNote(row: Row): NoteRecord {
  return {
    id: Number(row.id),
    vhost: String(row.vhost),
    queue: String(row.queue),
    target: String(row.target),
    text: String(row.text),
    author: String(row.author),
    createdAt: Number(row.created_at),
  }
}
