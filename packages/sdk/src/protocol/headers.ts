/** Header names the SDK owns (the README's Headers). Flat keys, never `x-` names. */
export const HEADERS = {
  attempt: 'warren-attempt',
  deadLetterReason: 'warren-dead-letter-reason',
  originalQueue: 'warren-original-queue',
  originalExchange: 'warren-original-exchange',
  originalRoutingKey: 'warren-original-routing-key',
  errorName: 'warren-error-name',
  errorMessage: 'warren-error-message',
  errorStack: 'warren-error-stack',
  firstFailedAt: 'warren-first-failed-at',
  lastFailedAt: 'warren-last-failed-at',
  consumer: 'warren-consumer',
  requeueCount: 'warren-requeue-count',
  requeuedAt: 'warren-requeued-at',
  /** Set by the admin API's requeue: the failed attempts of the lives before it. */
  previousAttempts: 'warren-previous-attempts',
  /** Set by the admin API's edit-and-retry on the edited copy: the stored original's id. */
  editedFrom: 'warren-edited-from',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  encryption: 'warren-encryption',
  encryptionKeyId: 'warren-encryption-key-id',
  encryptedContentType: 'warren-encrypted-content-type',
  /** On a request: when the requester stops waiting (epoch ms); later, the responder skips it. */
  deadline: 'warren-deadline',
  /** On a reply: the responder's error name; the body is `{ name, message, code }`. */
  replyError: 'warren-reply-error',
  /** On a delayed message: where it goes when its time has come. */
  delayExchange: 'warren-delay-exchange',
  delayRoutingKey: 'warren-delay-routing-key',
  /** On a delayed message: when it is due (ISO 8601). */
  delayUntil: 'warren-delay-until',
  /** On a delayed message: its own expiration (ms), applied from delivery on. */
  delayExpiration: 'warren-delay-expiration',
  /** On a scheduled message: the tick it was published for (ISO 8601). */
  scheduledAt: 'warren-scheduled-at',
} as const

/** Headers of the admin API's `warren.archive` stream, where deleted and purged dead letters are kept. */
export const ARCHIVE_HEADERS = {
  /** `archived`, `restored` or `marker`. */
  kind: 'warren-archive-kind',
  archivedFrom: 'warren-archived-from',
  archivedAt: 'warren-archived-at',
  archivedBy: 'warren-archived-by',
  /** On a `restored` record: the offset of the archived copy it restored. */
  restoredOffset: 'warren-restored-offset',
  markerId: 'warren-marker-id',
  /** The archived message's header table as it arrived: wire bytes, base64. */
  archivedHeaders: 'warren-archived-headers',
} as const

/** Headers RabbitMQ writes itself: a dead letter's history, a quorum or stream delivery's counts. */
export const BROKER_HEADERS = {
  /** One entry per queue and reason, latest first: `queue`, `reason`, `count`, `exchange`, `routing-keys`, `time`. */
  death: 'x-death',
  firstDeathReason: 'x-first-death-reason',
  firstDeathQueue: 'x-first-death-queue',
  firstDeathExchange: 'x-first-death-exchange',
  lastDeathReason: 'x-last-death-reason',
  lastDeathQueue: 'x-last-death-queue',
  lastDeathExchange: 'x-last-death-exchange',
  deliveryCount: 'x-delivery-count',
  /** RabbitMQ 4.3 on. */
  acquiredCount: 'x-acquired-count',
  streamOffset: 'x-stream-offset',
} as const

/** Headers the broker sets anew on each delivery: stale on a copy, never part of a message's id. */
export const BROKER_DELIVERY_HEADERS: readonly string[] = [
  BROKER_HEADERS.deliveryCount,
  BROKER_HEADERS.acquiredCount,
  BROKER_HEADERS.streamOffset,
]
