import { TimeoutError, WarrenError } from '../errors.js'
import type { Message } from '../consume/message.js'
import type { ResolvedBatchOptions } from './options.js'

/** What a batch handler says about one message: nothing or `'ack'` acks it, an `Error` fails it. */
export type BatchOutcome = Error | 'ack' | undefined | void

/**
 * Receives up to `size` messages, or those that arrived within `wait`. Resolving with nothing
 * acks them all; resolving with one outcome per message (`outcomes[i]` for `messages[i]`) fails
 * only the messages given an `Error`, each retried or dead-lettered alone. Throwing fails all.
 */
export type BatchHandler<Body = unknown> = (
  messages: Message<Body>[],
) => Promise<readonly BatchOutcome[] | void> | readonly BatchOutcome[] | void

interface Entry {
  message: Message<unknown>
  resolve: () => void
  reject: (error: unknown) => void
}

/**
 * Gathers messages handed over one by one by a consumer into batches. Each message's promise
 * settles with its own outcome, so the consumer underneath acks, retries and dead-letters every
 * message exactly as it would a single one.
 */
export class Batcher {
  #entries: Entry[] = []
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly handler: BatchHandler,
    private readonly options: ResolvedBatchOptions,
  ) {}

  /** Resolves when the batch holding `message` acked it, rejects with its failure. */
  add(message: Message<unknown>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#entries.push({ message, resolve, reject })
      if (this.#entries.length >= this.options.size) this.#flush()
      else this.#timer ??= setTimeout(() => this.#flush(), this.options.waitMs)
    })
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#entries.splice(0, this.options.size)
    if (this.#entries.length > 0) {
      this.#timer = setTimeout(() => this.#flush(), this.options.waitMs)
    }
    if (batch.length > 0) void this.#run(batch)
  }

  async #run(batch: Entry[]): Promise<void> {
    let outcomes: readonly BatchOutcome[] | void
    try {
      outcomes = await this.#withTimeout(batch.map((entry) => entry.message))
    } catch (error) {
      for (const entry of batch) entry.reject(error)
      return
    }
    if (outcomes !== undefined && outcomes.length > batch.length) {
      const error = new WarrenError(
        'INVALID_OPTIONS',
        `batch handler returned ${outcomes.length} outcomes for ${batch.length} messages`,
      )
      for (const entry of batch) entry.reject(error)
      return
    }
    batch.forEach((entry, i) => {
      const outcome = outcomes?.[i]
      if (outcome instanceof Error) entry.reject(outcome)
      else entry.resolve()
    })
  }

  async #withTimeout(messages: Message<unknown>[]): Promise<readonly BatchOutcome[] | void> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `batch of ${messages.length} on '${messages[0]?.queue}' ran longer than ${this.options.timeoutMs}ms`,
            ),
          ),
        this.options.timeoutMs,
      )
    })
    try {
      return await Promise.race([(async () => this.handler(messages))(), timeout])
    } finally {
      clearTimeout(timer)
    }
  }
}
