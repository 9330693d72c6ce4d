import type { Options } from 'amqplib'
import { MessageTooLargeError, UnroutableError, WarrenError } from '../errors.js'
import { refusedMaxSize } from './max-size.js'

type Resolve = () => void
type Reject = (error: Error) => void

// `new Promise` hands its functions to an executor; a shared one that captures nothing saves a
// closure and its context per publish (this runs once per message on the publish hot path).
let nextResolve: Resolve | undefined
let nextReject: Reject | undefined
function capture(resolve: Resolve, reject: Reject): void {
  nextResolve = resolve
  nextReject = reject
}

/**
 * One publish from the call until its confirm; sent again after a reconnect until confirmed.
 * A class, not a literal, so every record has one shape, and `promise` is its caller's answer.
 */
export class Pending {
  readonly promise: Promise<void>
  readonly resolve: Resolve
  readonly reject: Reject
  /** `performance.now()` when handed to the channel, for the confirm latency. */
  sentAt = 0
  returnedReply: string | undefined = undefined
  timer: NodeJS.Timeout | undefined = undefined
  /** Channel closes by the broker while this was in flight. */
  channelErrors = 0

  constructor(
    readonly exchange: string,
    readonly routingKey: string,
    readonly content: Buffer,
    readonly options: Options.Publish & { messageId: string },
    readonly startedAt: number,
    readonly deadline: number,
  ) {
    this.promise = new Promise<void>(capture)
    this.resolve = nextResolve as Resolve
    this.reject = nextReject as Reject
  }
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
 * publishes), so any number are in flight at once until the broker answers each. Tags are
 * consecutive and mostly answered in order: a window of slots from the oldest unanswered tag,
 * not a map, so an answer costs no hashing and the window allocates nothing per message.
 */
export class InFlight {
  #slots: (Pending | undefined)[] = []
  /** Index in `#slots` of the oldest tag not yet answered. */
  #head = 0
  /** The delivery tag of `#slots[#head]`. */
  #headTag = 1
  #size = 0

  get size(): number {
    return this.#size
  }

  add(pending: Pending): void {
    this.#slots.push(pending)
    this.#size++
  }

  /** The broker answered `tag`, or with `multiple` every tag up to it: each goes to `answered`. */
  take(tag: number, multiple: boolean, answered: (pending: Pending) => void): void {
    const slots = this.#slots
    const end = Math.min(this.#head + tag - this.#headTag, slots.length - 1)
    const from = multiple ? this.#head : end
    for (let i = from; i <= end; i++) {
      const pending = slots[i]
      if (pending === undefined) continue
      slots[i] = undefined
      this.#size--
      answered(pending)
    }
    this.#advance()
  }

  /** Takes out each publish `failure` gives an error for, with that error. */
  fail(failure: (pending: Pending) => Error | undefined): [Pending, Error][] {
    const failed: [Pending, Error][] = []
    const slots = this.#slots
    for (let i = this.#head; i < slots.length; i++) {
      const pending = slots[i]
      if (pending === undefined) continue
      const error = failure(pending)
      if (!error) continue
      slots[i] = undefined
      this.#size--
      failed.push([pending, error])
    }
    this.#advance()
    return failed
  }

  /** The channel is gone: every publish still on it, in the order sent; a new one counts from 1. */
  takeAll(): Pending[] {
    const all = this.#slots.filter((pending) => pending !== undefined)
    this.#slots = []
    this.#head = 0
    this.#headTag = 1
    this.#size = 0
    return all
  }

  /** basic.return precedes the basic.ack of the same publish: mark it now, reject on the ack. */
  markReturned(messageId: unknown, reply: string): void {
    const slots = this.#slots
    for (let i = this.#head; i < slots.length; i++) {
      const pending = slots[i]
      if (pending === undefined || pending.returnedReply !== undefined) continue
      if (pending.options.messageId === messageId) {
        pending.returnedReply = reply
        return
      }
    }
  }

  /** Moves the window past answered tags; drops the answered prefix once it is most of it. */
  #advance(): void {
    const slots = this.#slots
    while (this.#head < slots.length && slots[this.#head] === undefined) {
      this.#head++
      this.#headTag++
    }
    if (this.#head > 1024 && this.#head * 2 > slots.length) {
      this.#slots = slots.slice(this.#head)
      this.#head = 0
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
