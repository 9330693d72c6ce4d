// The dead-letter store's contract: what intake writes, what browse, groups, bulk operations,
// notes, export and the archive read. Two implementations keep it: SQLite (embedded, the default,
// no setup) and PostgreSQL (several admin API instances on one store). Nothing here knows AMQP
// or HTTP; the rows hold the message as it arrived (content, properties, fields), so the one
// message core (dead-letters/message-view.ts) turns a stored row into the view the console shows.

/** What happens to a stored dead letter; `held` is the only state a browse lists. */
export type StoredState = 'held' | 'requeued' | 'moved' | 'archived' | 'retried'

/** A dead letter as intake hands it to the store (taken from RabbitMQ, not yet acked). */
export interface NewDeadLetter {
  vhost: string
  /** The dead-letter queue it was taken from. */
  queue: string
  /** The message as it arrived. */
  content: Buffer
  /**
   * amqplib's `MessageProperties` without `headers`, as JSON-safe values (strings, numbers,
   * `timestamp` in seconds as amqplib gives it).
   */
  properties: Record<string, unknown>
  /**
   * The header table exactly as it arrived, in wire bytes (`headerTableOf` in
   * rabbit/message-headers.ts), so that a requeue republishes every header with its own AMQP
   * type; rebuild with `attachHeaderTable`. Null when the message had no headers.
   */
  headerTable: Buffer | null
  /** The delivery's exchange and routing key (the DLQ's dead-letter exchange and key). */
  exchange: string
  routingKey: string
  /**
   * Set when RabbitMQ redelivered it: a crash between commit and ack may have stored it already,
   * so the store skips it when a row with the same `digest` in the same queue exists.
   */
  redelivered: boolean
  /** sha256 (hex) of content and properties: the identity of a redelivered copy. */
  digest: string
  /** When intake took it (epoch ms). */
  intakeAt: number
  // Facts parsed once at intake (dead-letters/parse.ts), for filters and groups.
  messageId: string | null
  deadLetteredAt: number | null
  reason: string | null
  errorName: string | null
  errorMessage: string | null
  originalQueue: string | null
  originalRoutingKey: string | null
  /** Failure-group fingerprint (store/fingerprint.ts). */
  fingerprint: string
  /** Lower-case text a search matches: message id, header values, error, payload text. */
  searchText: string
}

/** A row of the store. `seq` is unique in the store and grows with intake order. */
export interface StoredDeadLetter extends Omit<NewDeadLetter, 'redelivered' | 'searchText'> {
  seq: number
  state: StoredState
  /** When the state last changed, and by whom (actor name); null while held. */
  settledAt: number | null
  settledBy: string | null
  /** The bulk operation or edit that settled it. */
  settledByOperation: string | null
}

/** Server-side filters; every field narrows, all together (AND). */
export interface DeadLetterFilter {
  /** Substring (case-insensitive) of message id, header values, error text or payload text. */
  search?: string | undefined
  reason?: string | undefined
  errorName?: string | undefined
  originalQueue?: string | undefined
  /** The original routing key (before dead-lettering). */
  routingKey?: string | undefined
  /** A failure group's key (its fingerprint). */
  group?: string | undefined
  /** Dead-lettered at or after / before (epoch ms); rows without a time use their intake time. */
  from?: number | undefined
  to?: number | undefined
}

/** Which dead letters an action takes. */
export type Selection = { seqs: number[] } | { filter: DeadLetterFilter }

export interface GroupRow {
  /** The fingerprint. */
  key: string
  errorName: string | null
  /** The error message of the group's first member (ids and numbers as they were). */
  errorMessage: string | null
  count: number
  /** Earliest and latest dead-lettered (else intake) time, epoch ms. */
  firstSeen: number
  lastSeen: number
  originalQueues: string[]
}

/** Per dead-letter queue: what the store holds. */
export interface QueueSummary {
  vhost: string
  queue: string
  held: number
  /** Earliest dead-lettered (else intake) time among held rows, epoch ms; null when none. */
  oldest: number | null
}

export type BulkAction = 'requeue' | 'delete' | 'move'
export type BulkStatus = 'pending' | 'running' | 'paused' | 'cancelled' | 'succeeded' | 'failed'

/** A bulk operation as persisted, so that it survives a restart of the admin API. */
export interface BulkRecord {
  id: string
  action: BulkAction
  vhost: string
  queue: string
  /** `move`: the queue the messages go to; `requeue`: an override of each original queue. */
  target: string | null
  /** The selection as the operator gave it, for the audit and the console. */
  selection: Selection
  /** Messages per second; null: as fast as confirms allow. */
  rate: number | null
  status: BulkStatus
  /** Messages matched when the operator confirmed (the snapshot). */
  total: number
  done: number
  failed: number
  /**
   * Snapshot items whose row was no longer held when the operation reached them (settled some
   * other way meanwhile: deleted, retried, taken by hand); nothing was sent for them.
   */
  skipped: number
  /** Why the last failures failed (at most a few). */
  failures: { seq: number; reason: string }[]
  actor: string
  createdAt: number
  updatedAt: number
  finishedAt: number | null
  error: string | null
  /**
   * The admin API instance running the operation (random per runner), while `leaseUntil` is
   * ahead; null when none ever claimed it.
   */
  owner: string | null
  /** Until when (epoch ms) `owner` holds it; 0 when released. The owner renews it while it runs. */
  leaseUntil: number
  /** Messages per second as the owner last measured them, saved with each batch; null: not yet. */
  measuredRate: number | null
  /** Messages that may have been sent twice (a batch in flight when an instance stopped). */
  possibleDuplicates: number
}

/** What an instance asks of `claimBulk`. */
export interface BulkClaim {
  owner: string
  /** The claimant's clock (epoch ms): a lease with `leaseUntil` at or before it is expired. */
  now: number
  /** How long the lease holds from `now`, in ms. */
  leaseMs: number
  /** The statuses the operation may be in to be claimed. */
  from: readonly BulkStatus[]
  /** Set in the same statement, when given (a resume: `paused` to `running`). */
  status?: BulkStatus
}

/** What a batch adds to an operation's record besides its counters. */
export interface BulkProgress {
  /** The owner's latest measurement; left out: unchanged. */
  measuredRate?: number | null
  /** Added to the operation's count of possible duplicates. */
  possibleDuplicates?: number
}

export interface NoteRecord {
  id: number
  vhost: string
  queue: string
  /** `message:<seq>` or `group:<fingerprint>`. */
  target: string
  text: string
  author: string
  createdAt: number
}

export interface DeadLetterStore {
  readonly kind: 'sqlite' | 'postgres'
  /** Creates tables and indexes when missing. Idempotent. */
  init(): Promise<void>
  close(): Promise<void>

  // Intake
  /**
   * Commits a batch in one transaction, durably (the caller acks RabbitMQ only after this
   * resolves). Redelivered rows whose digest the queue already holds are skipped.
   */
  insert(batch: NewDeadLetter[]): Promise<{ inserted: number; duplicates: number }>

  // Reading (state `held` only)
  count(vhost: string, queue: string, filter?: DeadLetterFilter): Promise<number>
  /** In intake order (seq ascending). */
  page(
    vhost: string,
    queue: string,
    filter: DeadLetterFilter,
    limit: number,
    offset: number,
  ): Promise<StoredDeadLetter[]>
  /** The rows of these seqs in this queue, any state; missing ones are left out. */
  get(vhost: string, queue: string, seqs: number[]): Promise<StoredDeadLetter[]>
  /** Largest group first. */
  groups(vhost: string, queue: string, filter?: DeadLetterFilter): Promise<GroupRow[]>
  /** Every queue with held rows, or listed in `queues`. */
  summaries(): Promise<QueueSummary[]>
  /**
   * Dead letters the search index has not reached yet (SQLite indexes behind the intake; they are
   * searched by scan meanwhile); 0 where the index is written with the rows.
   */
  searchBacklog(): Promise<number>
  /** Held rows in seq order after `afterSeq`, for export (streamed page by page). */
  scan(
    vhost: string,
    queue: string,
    selection: Selection,
    afterSeq: number,
    limit: number,
  ): Promise<StoredDeadLetter[]>

  // Bulk operations
  /**
   * Creates the operation and its snapshot in one transaction: the seqs of the held rows the
   * selection matches now. Fails with `locked` when a pending, running or paused operation holds
   * the queue (the 409 rule, across every admin API instance on this store).
   */
  createBulk(
    record: Omit<
      BulkRecord,
      'total' | 'done' | 'failed' | 'skipped' | 'failures' | 'measuredRate' | 'possibleDuplicates'
    >,
  ): Promise<{ ok: true; total: number } | { ok: false; locked: BulkRecord }>
  getBulk(id: string): Promise<BulkRecord | null>
  /** Operations not finished (pending, running, paused): what a restart resumes. */
  unfinishedBulks(): Promise<BulkRecord[]>
  listBulks(vhost: string, queue: string, limit: number): Promise<BulkRecord[]>
  /**
   * The next snapshot rows not yet handled, seq ascending, still held. Pending items whose row
   * is no longer held are marked skipped (and counted in `skipped`) on the way, so no call reads
   * past them again: each call costs about `limit` items.
   */
  nextBulkItems(id: string, limit: number): Promise<StoredDeadLetter[]>
  /**
   * In one transaction: the rows leave `held` for `state`, their snapshot items are marked done,
   * failures are recorded (their rows stay held, their items are marked failed), and the
   * operation's counters and `progress` advance.
   */
  settleBulkItems(
    id: string,
    done: number[],
    state: StoredState,
    failures: { seq: number; reason: string }[],
    actor: string,
    progress?: BulkProgress,
  ): Promise<void>
  updateBulk(
    id: string,
    patch: Partial<Pick<BulkRecord, 'status' | 'rate' | 'error' | 'finishedAt'>>,
  ): Promise<BulkRecord | null>
  /**
   * Takes the operation for `claim.owner` in one conditional UPDATE: only when its status is one
   * of `claim.from` and its lease is free (released, expired) or the owner's own. Null when not:
   * of several instances claiming at once, exactly one gets the record.
   */
  claimBulk(id: string, claim: BulkClaim): Promise<BulkRecord | null>
  /**
   * Extends the leases `owner` holds to `leaseUntil`, expired ones too while nobody claimed them,
   * released ones not; returns the ids it still holds.
   */
  renewBulks(ids: string[], owner: string, leaseUntil: number): Promise<string[]>
  /** Frees `owner`'s lease (leaseUntil 0), so another instance may claim it at once. */
  releaseBulk(id: string, owner: string): Promise<void>

  // Single changes
  /** Moves held rows to `state`; returns the seqs that were held (the others are left out). */
  settle(
    vhost: string,
    queue: string,
    seqs: number[],
    state: StoredState,
    actor: string,
    operation: string | null,
  ): Promise<number[]>
  /** Archived rows of a queue (or every queue of a vhost), newest first. */
  archived(
    vhost: string,
    queue: string | undefined,
    filter: DeadLetterFilter,
    limit: number,
    offset: number,
  ): Promise<{ total: number; items: StoredDeadLetter[] }>
  /** Archived rows back to held; returns the seqs restored. */
  restore(vhost: string, seqs: number[], actor: string): Promise<number[]>

  // Notes
  addNote(note: Omit<NoteRecord, 'id'>): Promise<NoteRecord>
  notes(vhost: string, queue: string, targets?: string[]): Promise<NoteRecord[]>
}
