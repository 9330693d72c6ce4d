import { z } from 'zod'
import { resourceName } from '../security/names.js'

// Request schemas and response types of the dead-letter, archive and operation routes. Only zod
// here (no amqplib, no node:*), so the console can import them into a browser bundle.

export const queueParamsSchema = z.object({ vhost: resourceName, queue: resourceName })

/** Largest page of messages one request may ask for. */
export const MAX_PAGE = 500
/** How deep into a queue or the archive a page may start. */
export const MAX_OFFSET = 50_000
/** Most ids one request may name. */
export const MAX_IDS = 10_000

const limitSchema = z.coerce.number().int().min(1).max(MAX_PAGE).default(50)
/** The store pages at any depth; the live reading stops at {@link MAX_OFFSET} (browse.ts). */
const storeOffsetSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0)
const filterText = z.string().trim().min(1).max(200)
/** ISO 8601 in, epoch ms out. */
const isoTime = z.iso.datetime({ offset: true }).transform((value) => Date.parse(value))

/**
 * The store's server-side filters (store/types.ts `DeadLetterFilter`), as browse, groups and export
 * take them in the query and bulk operations in the body. A live reading has only `search`.
 */
export const filterFields = {
  /** An empty search is no search. */
  search: z
    .string()
    .trim()
    .max(200)
    .optional()
    .transform((value) => value || undefined),
  reason: filterText.optional(),
  errorName: filterText.optional(),
  originalQueue: resourceName.optional(),
  routingKey: z.string().max(255).optional(),
  /** A failure group's key (fingerprint). */
  group: filterText.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
}

export const filterQuerySchema = z.object(filterFields)

export const browseQuerySchema = filterQuerySchema.extend({
  limit: limitSchema,
  offset: storeOffsetSchema,
})

const idsSchema = z.array(z.string().min(1).max(512)).min(1).max(MAX_IDS)
/** Lets the console poll the progress of the request it is about to send. */
const operationIdSchema = z.uuid().optional()

/** A dry run reads and reports what a requeue would do, and changes nothing. */
const dryRunSchema = z.boolean().optional()

export const requeueBodySchema = z.union([
  z.strictObject({
    ids: idsSchema,
    target: resourceName.optional(),
    operationId: operationIdSchema,
    dryRun: dryRunSchema,
  }),
  z.strictObject({
    all: z.literal(true),
    target: resourceName.optional(),
    operationId: operationIdSchema,
    dryRun: dryRunSchema,
  }),
])

export const deleteBodySchema = z.strictObject({ ids: idsSchema, operationId: operationIdSchema })

export const purgeBodySchema = z.strictObject({
  confirm: z.string().max(1024),
  operationId: operationIdSchema,
})

export const archiveQuerySchema = z.object({
  vhost: resourceName.default('/'),
  queue: resourceName.optional(),
  limit: limitSchema,
  offset: storeOffsetSchema,
  search: z.string().trim().max(200).optional(),
})

export const restoreBodySchema = z.union([
  z.strictObject({ ids: idsSchema, operationId: operationIdSchema }),
  z.strictObject({
    all: z.literal(true),
    vhost: resourceName.default('/'),
    queue: resourceName,
    operationId: operationIdSchema,
  }),
])

export const operationParamsSchema = z.object({ id: z.uuid() })

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** How `payload` holds the message body. */
export type PayloadEncoding = 'json' | 'text' | 'base64' | 'encrypted'

/** One dead letter as the console shows it. */
export interface MessageView {
  /** Stable: the messageId, else a hash of body and properties. */
  id: string
  messageId: string | null
  /** `max-attempts`, `rejected`, `expired`, `maxlen`, `delivery_limit`, a framework's reason... */
  reason: string | null
  originalQueue: string | null
  exchange: string | null
  routingKey: string | null
  attempts: number | null
  error: { name: string | null; message: string | null; stack: string | null } | null
  deadLetteredAt: string | null
  /** The reason in words for an operator (what a broker reason means, what to look at). */
  explanation: string | null
  properties: Record<string, JsonValue>
  headers: Record<string, JsonValue>
  /**
   * Parsed JSON, text, base64 (see `payloadEncoding`), or null when encrypted; decompressed and
   * decoded from its charset as `content-encoding` and `content-type` say (see `rawPayload`).
   */
  payload: JsonValue
  payloadEncoding: PayloadEncoding
  /** True when `payload` holds only the beginning of a large body. */
  payloadTruncated: boolean
  payloadBytes: number
  /**
   * The body's bytes as they arrived, present when `payload` shows them decompressed or decoded
   * from a charset other than UTF-8.
   */
  rawPayload?: {
    /** At most the first 64 KiB. */
    base64: string
    /** True when `base64` holds only the beginning of the body. */
    truncated: boolean
    /** What turned the bytes into `payload`, in order: `gzip`, `charset windows-1252`... */
    decodedWith: string[]
  }
  /**
   * Present when part of the message could not be shown as it is: each says what and how it is
   * shown instead (`property timestamp 1e16 is out of range: shown as its raw value`).
   */
  notes?: string[]
}

/**
 * How the queue was read. `give-back`: messages taken and handed back, which costs them nothing
 * here. `reseat`: a quorum queue with a delivery limit on a broker that counts every return, read
 * by putting identical copies back in order; served from that reading (`readAt`) for a while.
 */
export interface BrowseReading {
  /** `store`: the dead letters are in Warren's store; the queue in RabbitMQ is drained into it. */
  mode: 'give-back' | 'reseat' | 'store'
  /** The queue's delivery limit, null when none applies. */
  deliveryLimit: number | null
  readAt: string
  /** With `store`: dead letters the store holds for this queue, and what RabbitMQ still has. */
  held?: number
  inBroker?: number
  /** With `store`: the newest dead letters not in the search index yet (searched by scan). */
  searchBacklog?: number
}

/** A failure group: dead letters with one fingerprint (error, normalised message, code, queue). */
export interface GroupView {
  key: string
  errorName: string | null
  errorMessage: string | null
  count: number
  firstSeen: string | null
  lastSeen: string | null
  originalQueues: string[]
}

export interface GroupsResult {
  items: GroupView[]
  /** Dead letters the groups were made from. */
  total: number
  /**
   * False when the groups cover only part of the queue: a live reading groups at most the first
   * messages it reads (`total` of them); the store groups the whole queue.
   */
  complete: boolean
}

export interface BrowseResult {
  /** Messages in the queue; with `search`, the matches among the messages scanned. */
  total: number
  items: MessageView[]
  reading: BrowseReading
}

export interface FailedMessage {
  id: string
  /** Why it stayed in the dead-letter queue. */
  reason: string
}

export interface RequeueResult {
  operationId: string
  requeued: number
  /** With `dryRun`: how many would be requeued, and to which queues. */
  wouldRequeue?: number
  targets?: Record<string, number>
  notFound: string[]
  failed: FailedMessage[]
}

export interface DeleteResult {
  operationId: string
  deleted: number
  notFound: string[]
  /** Messages whose archive copy was not confirmed: they stay in the queue. */
  failed: FailedMessage[]
}

export interface PurgeResult {
  operationId: string
  purged: number
  /** Messages whose archive copy was not confirmed: they stay in the queue. */
  failed: FailedMessage[]
}

/** A message copied to the `warren.archive` stream before a delete or purge. */
export interface ArchivedMessage {
  /** `<percent-encoded vhost>:<stream offset>`: what restore takes. */
  id: string
  vhost: string
  /** The dead-letter queue it was removed from, where restore puts it back. */
  archivedFrom: string
  archivedAt: string | null
  archivedBy: string | null
  /** Set once it has been restored; a restored message is not restored again. */
  restoredAt: string | null
  message: MessageView
}

export interface ArchiveListResult {
  total: number
  items: ArchivedMessage[]
}

export interface RestoreResult {
  operationId: string
  restored: number
  notFound: string[]
  alreadyRestored: string[]
  failed: FailedMessage[]
}

export type OperationKind = 'requeue' | 'delete' | 'purge' | 'restore'
export type OperationStatus = 'running' | 'succeeded' | 'failed'

export interface OperationView {
  id: string
  kind: OperationKind
  vhost: string
  queue: string
  /** Messages the operation will look at (known once it has started). */
  total: number
  done: number
  status: OperationStatus
  startedAt: string
  finishedAt: string | null
  error: string | null
}
