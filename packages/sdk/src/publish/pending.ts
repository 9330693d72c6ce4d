import type { Options } from 'amqplib'
import { MessageTooLargeError, UnroutableError, WarrenError } from '../errors.js'
import { refusedMaxSize } from './max-size.js'

/** One publish from the call until its confirm; sent again after a reconnect until confirmed. */
export interface Pending {
  exchange: string
  routingKey: string
  content: Buffer
  options: Options.Publish & { messageId: string }
  startedAt: number
  /** `performance.now()` when handed to the channel, for the confirm latency. */
  sentAt: number
  deadline: number
  resolve: () => void
  reject: (error: Error) => void
  returnedReply: string | undefined
  timer: NodeJS.Timeout | undefined
  /** Channel closes by the broker while this was in flight. */
  channelErrors: number
}

// The broker's NOT_FOUND reply is the only place that names a missing exchange.
const NO_EXCHANGE = /no exchange '([^']+)'/
const MAX_CHANNEL_ERRORS = 3

/** Publishes waiting for a channel (none, or the broker blocked), each until its deadline. */
export class Held {
  #queue: Pending[] = []

  constructor(private readonly expired: (pending: Pending) => void) {}

  get size(): number {
    return this.#queue.length
  }

  /** False when its deadline has passed already. */
  add(pending: Pending, front: boolean): boolean {
    const remaining = pending.deadline - Date.now()
    if (remaining <= 0) return false
    pending.timer = setTimeout(() => {
      const index = this.#queue.indexOf(pending)
      if (index === -1) return
      this.#queue.splice(index, 1)
      this.expired(pending)
    }, remaining)
    if (front) this.#queue.unshift(pending)
    else this.#queue.push(pending)
    return true
  }

  /** Every held publish, in order, no longer timed. */
  takeAll(): Pending[] {
    const all = this.#queue
    this.#queue = []
    for (const pending of all) {
      clearTimeout(pending.timer)
      pending.timer = undefined
    }
    return all
  }
}

/**
 * The publishes sent on the current confirm channel, by delivery tag (the channel's count of
 * publishes), so any number are in flight at once until the broker answers each.
 */
export class InFlight {
  readonly #byTag = new Map<number, Pending>()
  #tag = 0

  get size(): number {
    return this.#byTag.size
  }

  add(pending: Pending): void {
    this.#byTag.set(++this.#tag, pending)
  }

  /** The broker answered `tag`, or with `multiple` every tag up to it. */
  take(tag: number, multiple: boolean): Pending[] {
    if (!multiple) {
      const pending = this.#byTag.get(tag)
      this.#byTag.delete(tag)
      return pending ? [pending] : []
    }
    const taken: Pending[] = []
    for (const [each, pending] of this.#byTag) {
      if (each > tag) break
      this.#byTag.delete(each)
      taken.push(pending)
    }
    return taken
  }

  /** Takes out each publish `failure` gives an error for, with that error. */
  fail(failure: (pending: Pending) => Error | undefined): [Pending, Error][] {
    const failed: [Pending, Error][] = []
    for (const [tag, pending] of this.#byTag) {
      const error = failure(pending)
      if (!error) continue
      this.#byTag.delete(tag)
      failed.push([pending, error])
    }
    return failed
  }

  /** The channel is gone: every publish still on it, in the order sent; a new one counts from 1. */
  takeAll(): Pending[] {
    const all = [...this.#byTag.values()]
    this.#byTag.clear()
    this.#tag = 0
    return all
  }

  /** basic.return precedes the basic.ack of the same publish: mark it now, reject on the ack. */
  markReturned(messageId: unknown, reply: string): void {
    for (const pending of this.#byTag.values()) {
      if (pending.options.messageId === messageId && pending.returnedReply === undefined) {
        pending.returnedReply = reply
        return
      }
    }
  }
}

/**
 * Whether the channel error `error` refuses `pending` for good: over a size limit lower than
 * this client knew, or to an exchange that does not exist (sent again, either would close
 * channel after channel). Anything else is sent again on the next channel.
 */
export function refusal(error: Error, pending: Pending): Error | undefined {
  const limit = refusedMaxSize(error)
  if (limit !== undefined) {
    const size = pending.content.length
    if (size <= limit) return undefined
    const { messageId } = pending.options
    return new MessageTooLargeError({ messageId, size, limit }, { cause: error })
  }
  const missing = NO_EXCHANGE.exec(error.message)?.[1]
  if (missing === undefined || pending.exchange !== missing) return undefined
  return new WarrenError('EXCHANGE_NOT_FOUND', `exchange '${missing}' does not exist`, {
    cause: error,
  })
}

/** What the broker's answer to a publish means, when it is not its confirm: nacked or returned. */
export function answerError(pending: Pending, nacked: boolean): Error | undefined {
  const { exchange, routingKey, options } = pending
  if (nacked) {
    const why = `broker refused message ${options.messageId} (queue full or internal error)`
    return new WarrenError('PUBLISH_NACKED', why)
  }
  if (pending.returnedReply === undefined) return undefined
  const reply = pending.returnedReply
  return new UnroutableError({ exchange, routingKey, messageId: options.messageId, reply })
}

/**
 * A publish in flight each time the broker closed the channel with `error` is likely what it
 * refuses (too large, bad header): given up on rather than closing channel after channel.
 */
export function refusedTooOften(pending: Pending, error: Error | undefined): Error | undefined {
  if (!error || ++pending.channelErrors < MAX_CHANNEL_ERRORS) return undefined
  return new WarrenError('PUBLISH_FAILED', `broker refused the publish: ${error.message}`, {
    cause: error,
  })
}
