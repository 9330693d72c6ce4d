/** Header names the SDK owns (DESIGN.md section 2). Flat keys, never `x-` names. */
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

/** Why the SDK dead-lettered a message (`warren-dead-letter-reason`). */
export type DeadLetterReason = 'max-attempts' | 'non-retryable' | 'invalid-payload' | 'no-handler'

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'max-attempts',
  'non-retryable',
  'invalid-payload',
  'no-handler',
]
