/** Stable error codes: callers branch on these, never on messages. */
export type WarrenErrorCode =
  | 'TOPOLOGY_MISMATCH'
  | 'TOPOLOGY_INVALID'
  | 'UNKNOWN_QUEUE'
  | 'VALIDATION_FAILED'
  | 'UNROUTABLE'
  | 'PUBLISH_NACKED'
  | 'PUBLISH_FAILED'
  | 'MESSAGE_TOO_LARGE'
  | 'EXCHANGE_NOT_FOUND'
  | 'NON_RETRYABLE'
  | 'TIMEOUT'
  | 'BUFFER_FULL'
  | 'CLOSED'
  | 'CONNECTION_FAILED'
  | 'ACCESS_REFUSED'
  | 'NOT_ALLOWED'
  | 'TLS_FAILED'
  | 'HOST_NOT_FOUND'
  | 'INVALID_PAYLOAD'
  | 'NO_HANDLER'
  | 'DECRYPTION_FAILED'
  | 'INVALID_OPTIONS'
  | 'REMOTE_ERROR'
  | 'REPLY_LOST'

/** Base of every error the SDK throws; `code` is stable, `cause` keeps the underlying error. */
export class WarrenError extends Error {
  readonly code: WarrenErrorCode

  constructor(code: WarrenErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/**
 * The broker holds a queue or exchange whose arguments differ from the declared topology, or a
 * queue's definition asks for something its queue type cannot do (code `TOPOLOGY_INVALID`).
 */
export class TopologyError extends WarrenError {
  /** The queue (or exchange, see `kind`) whose declaration the broker refused. */
  readonly queue: string
  /** The argument that differs, e.g. `x-queue-type`; undefined when the broker did not say. */
  readonly argument: string | undefined
  readonly kind: 'queue' | 'exchange'

  constructor(
    details: {
      queue: string
      argument?: string | undefined
      kind?: 'queue' | 'exchange'
      /** `TOPOLOGY_INVALID` when the definition itself is impossible (e.g. priorities on quorum). */
      code?: 'TOPOLOGY_MISMATCH' | 'TOPOLOGY_INVALID'
    },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(details.code ?? 'TOPOLOGY_MISMATCH', message, options)
    this.queue = details.queue
    this.argument = details.argument
    this.kind = details.kind ?? 'queue'
  }
}

/** One problem found by a schema, flattened so it can be logged or sent in a header. */
export interface ValidationIssue {
  path: (string | number)[]
  message: string
}

/** A body failed the schema of its routing key; nothing was sent. */
export class ValidationError extends WarrenError {
  readonly issues: ValidationIssue[]

  constructor(message: string, issues: ValidationIssue[], options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', message, options)
    this.issues = issues
  }
}

/** A mandatory publish matched no queue: the broker returned it. */
export class UnroutableError extends WarrenError {
  readonly exchange: string
  readonly routingKey: string
  readonly messageId: string

  constructor(details: { exchange: string; routingKey: string; messageId: string; reply: string }) {
    super(
      'UNROUTABLE',
      `message ${details.messageId} to exchange '${details.exchange}' with routing key '${details.routingKey}' was returned: ${details.reply}`,
    )
    this.exchange = details.exchange
    this.routingKey = details.routingKey
    this.messageId = details.messageId
  }
}

/**
 * A message's body, as it would go on the wire (after encryption), is larger than the broker's
 * maximum message size; nothing was sent. `limit` is `connect({ maxMessageSize })`, else the
 * broker's default for its version, or the limit the broker itself named when it refused one.
 */
export class MessageTooLargeError extends WarrenError {
  readonly messageId: string
  /** Bytes of the body as sent. */
  readonly size: number
  /** The broker's maximum message size in bytes. */
  readonly limit: number

  constructor(
    details: { messageId: string; size: number; limit: number },
    options?: { cause?: unknown },
  ) {
    super(
      'MESSAGE_TOO_LARGE',
      `message ${details.messageId} is ${details.size} bytes, over the broker's maximum message size of ${details.limit} bytes (max_message_size; set connect({ maxMessageSize }) if the broker is configured otherwise)`,
      options,
    )
    this.messageId = details.messageId
    this.size = details.size
    this.limit = details.limit
  }
}

/**
 * Thrown by a handler to say "retrying cannot help": the message goes to the dead-letter queue at once.
 *
 * @example
 * if (!customer) throw new NonRetryableError(`unknown customer ${id}`)
 */
export class NonRetryableError extends WarrenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NON_RETRYABLE', message, options)
  }
}

/** An operation (publish confirm, handler, buffer wait, blocked wait) took longer than its timeout. */
export class TimeoutError extends WarrenError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options)
  }
}

/** The publish buffer is full and its overflow policy is `reject`. */
export class BufferFullError extends WarrenError {
  constructor(size: number) {
    super('BUFFER_FULL', `publish buffer is full (${size} messages) while disconnected or blocked`)
  }
}

/** The broker (or consumer) was closed before the operation could finish. */
export class ClosedError extends WarrenError {
  constructor(message = 'broker is closed', options?: { cause?: unknown }) {
    super('CLOSED', message, options)
  }
}

/** The responder of a `request()` threw; `remote` carries its error's name, message and code. */
export class RemoteError extends WarrenError {
  readonly remote: { name: string; message: string; code: string | undefined }

  constructor(remote: { name: string; message: string; code?: string | undefined }) {
    super('REMOTE_ERROR', `responder failed: ${remote.name}: ${remote.message}`)
    this.remote = { name: remote.name, message: remote.message, code: remote.code }
  }
}
