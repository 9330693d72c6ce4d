import { z } from 'zod'
import { filterFields, MAX_IDS, type JsonValue, type MessageView } from '../dead-letters/schemas.js'
import { resourceName } from '../security/names.js'

// Request schemas and response types of the stored dead letters' routes: bulk operations,
// edit-and-retry, notes and export. Only zod here (no amqplib, no node:*), so the console can
// import them into a browser bundle.

/** Most messages per second an operator may ask for. */
export const MAX_RATE = 100_000
/** Longest note. */
export const MAX_NOTE = 2000

/** A stored dead letter's id: its store sequence number, as a decimal string. */
export const storedIdSchema = z.string().regex(/^[1-9][0-9]{0,15}$/, 'must be a stored message id')

const text = z.string().trim().min(1).max(200)

export const filterSchema = z.strictObject(filterFields)

export const selectionSchema = z.union([
  z.strictObject({ ids: z.array(storedIdSchema).min(1).max(MAX_IDS) }),
  z.strictObject({ filter: filterSchema }),
])

const rateSchema = z.number().int().min(1).max(MAX_RATE)

export const bulkBodySchema = z
  .strictObject({
    action: z.enum(['requeue', 'delete', 'move']),
    selection: selectionSchema,
    /** `move`: where to; `requeue`: instead of each message's original queue. */
    target: resourceName.optional(),
    /** Messages per second; left out: as fast as the broker confirms. */
    rate: rateSchema.nullable().optional(),
    /** Count what would be done, change nothing. */
    dryRun: z.boolean().optional(),
  })
  .refine((body) => body.action !== 'move' || body.target !== undefined, {
    message: 'a move needs a target',
    path: ['target'],
  })
  .refine((body) => body.action !== 'delete' || body.target === undefined, {
    message: 'a delete has no target',
    path: ['target'],
  })

export const bulkParamsSchema = z.object({ id: z.uuid() })

export const bulkPatchSchema = z.strictObject({ rate: rateSchema.nullable() })

export const storedMessageParamsSchema = z.object({
  vhost: resourceName,
  queue: resourceName,
  id: storedIdSchema,
})

const jsonSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonSchema),
    z.record(z.string(), jsonSchema),
  ]),
)

export const retryBodySchema = z.strictObject({
  /** The edited body, as text (UTF-8). */
  payload: z.string().max(16 * 1024 * 1024),
  /** Changes to the headers: a value sets the header, null removes it; the rest stay as they were. */
  headers: z.record(z.string().min(1).max(255), jsonSchema).optional(),
  /** Instead of the original queue. */
  target: resourceName.optional(),
})

export const noteBodySchema = z.strictObject({
  target: z.union([z.strictObject({ id: storedIdSchema }), z.strictObject({ group: text })]),
  text: z.string().trim().min(1).max(MAX_NOTE),
})

/** Export takes the filter's fields as query parameters, or `ids=1,2,3`. */
export const exportQuerySchema = z.object({
  ...filterFields,
  ids: z
    .string()
    .transform((value) => value.split(',').filter((id) => id !== ''))
    .pipe(z.array(storedIdSchema).min(1).max(MAX_IDS))
    .optional(),
})

export type BulkBody = z.output<typeof bulkBodySchema>
export type BulkActionName = BulkBody['action']
export type BulkStatusName = 'pending' | 'running' | 'paused' | 'cancelled' | 'succeeded' | 'failed'

/** A dry run: how many held messages the selection matches now, and where a requeue sends them. */
export interface BulkDryRun {
  matched: number
  /** `requeue` only: messages per queue they would go to; `(none)` for those without one. */
  targets?: Record<string, number>
}

/** A bulk operation as the console shows it. Times are ISO 8601. */
export interface BulkOperationView {
  id: string
  action: BulkActionName
  vhost: string
  queue: string
  target: string | null
  status: BulkStatusName
  /** Messages matched when the operator confirmed; later arrivals are not part of it. */
  total: number
  done: number
  failed: number
  /** Messages settled some other way (deleted, retried) before the operation reached them. */
  skipped: number
  /** Why the last failures failed (at most a few); failed messages stay held. */
  failures: { id: string; reason: string }[]
  /** Asked for, messages per second; null: unpaced. */
  rate: number | null
  /** Measured over the last seconds; null when not running or not yet known. */
  measuredRate: number | null
  etaSeconds: number | null
  /**
   * Messages that may have been sent twice: those in flight when an admin API stopped without
   * recording them, sent again on resume.
   */
  possibleDuplicates: number
  actor: string
  createdAt: string
  updatedAt: string
  finishedAt: string | null
  error: string | null
}

export interface BulkOperationList {
  items: BulkOperationView[]
}

export interface RetryResult {
  /** The original's id; it is now archived (state `retried`). */
  id: string
  /** The queue the edited copy went to. */
  target: string
  /** False when somebody else settled the original meanwhile (the copy was sent all the same). */
  archived: boolean
}

export interface NoteView {
  id: number
  target: { id: string } | { group: string }
  text: string
  author: string
  createdAt: string
}

export interface NoteList {
  items: NoteView[]
}

/** One line of an export (`application/x-ndjson`). */
export interface ExportLine {
  id: string
  /** The message's properties as stored (JSON-safe), headers apart. */
  properties: Record<string, unknown>
  headers: Record<string, JsonValue>
  /** The body's bytes, base64. */
  body: string
  view: MessageView
}
