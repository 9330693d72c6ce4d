import type { Tick } from './topology.js'

/** One row of the fault report (reports/faults.json). */
export interface FaultResult {
  scenario: string
  /** Publishes issued. */
  published: number
  /** Publishes the broker confirmed. */
  confirmed: number
  /** Distinct messageIds a consumer finished (or that reached the DLQ where a scenario counts it). */
  consumedUnique: number
  /** Confirmed messageIds never consumed: the SDK's promise is that this is 0. */
  lost: number
  /** Deliveries of a messageId already consumed. */
  duplicates: number
  /** From the end of the fault until a message published after it was confirmed and consumed. */
  recoveryMs: number | null
  /** The longest gap between two confirms. */
  maxStallMs: number
}

export interface WorkloadOptions {
  /** Sends one message; resolves on the broker's confirm. */
  publish: (tick: Tick) => Promise<void>
  /** Prefix of the messageIds, so every scenario's ids are unique. */
  prefix: string
  /** Messages per second. @default WARREN_FAULTS_RATE, else 500 */
  rate?: number
}

export interface DrainOptions {
  /** Confirmed ids not to wait for (the fault itself took them). @default none */
  excused?: (id: string) => boolean
  /** Give up when nothing new was consumed for this long. @default 20000 */
  quietMs?: number
  /** Give up after this long in any case. @default 180000 */
  timeoutMs?: number
}

const TICK_MS = 10

export const defaultRate = (): number => Number(process.env.WARREN_FAULTS_RATE ?? 500)

/**
 * A steady stream of publishes with unique messageIds, and the bookkeeping that proves what
 * happened to each: published, confirmed, consumed (how often), when. Consumers report through
 * `consumed()`; `drain()` waits until every confirmed message was consumed.
 */
export class Workload {
  readonly rate: number
  readonly #options: WorkloadOptions
  readonly #publishedAt = new Map<string, number>()
  readonly #confirmedAt = new Map<string, number>()
  readonly #consumed = new Map<string, { at: number; count: number }>()
  readonly #rejections = new Map<string, number>()
  readonly #pending = new Set<Promise<void>>()
  #confirmedAndConsumed = 0
  #timer: NodeJS.Timeout | undefined
  #startedAt = 0
  #sent = 0
  #lastConfirmAt: number | undefined
  #maxStallMs = 0
  #lastConsumedAt = 0
  #faulty = false
  #faultEndedAt: number | undefined

  constructor(options: WorkloadOptions) {
    this.#options = options
    this.rate = options.rate ?? defaultRate()
  }

  get published(): number {
    return this.#publishedAt.size
  }

  get confirmed(): number {
    return this.#confirmedAt.size
  }

  get consumedUnique(): number {
    return this.#consumed.size
  }

  /** Publish rejections by error code (or name), e.g. `{ UNROUTABLE: 12 }`. */
  get rejections(): Record<string, number> {
    return Object.fromEntries(this.#rejections)
  }

  /** Starts publishing at `rate` per second until `stop()`. */
  start(): void {
    this.#startedAt = Date.now()
    this.#timer = setInterval(() => this.#tick(), TICK_MS)
  }

  /** Keeps the load running for `ms`. */
  run(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  /** Messages published from now on carry `faulty: true` (for handler faults). */
  markFaulty(faulty: boolean): void {
    this.#faulty = faulty
  }

  /** The fault is over (or was instantaneous): recovery is measured from now. */
  faultEnded(): void {
    this.#faultEndedAt = Date.now()
  }

  /** A consumer finished `id`. Returns true when it had been consumed before (a duplicate). */
  consumed(id: string): boolean {
    const now = Date.now()
    this.#lastConsumedAt = now
    const seen = this.#consumed.get(id)
    if (seen) {
      seen.count++
      return true
    }
    this.#consumed.set(id, { at: now, count: 1 })
    if (this.#confirmedAt.has(id)) this.#confirmedAndConsumed++
    return false
  }

  /** Stops publishing and waits until every publish is confirmed or rejected. */
  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending])
  }

  /** Waits until every confirmed message was consumed, or consumption went quiet. */
  async drain(options: DrainOptions = {}): Promise<void> {
    const quietMs = options.quietMs ?? 20_000
    const deadline = Date.now() + (options.timeoutMs ?? 180_000)
    const excused = options.excused
    this.#lastConsumedAt = Math.max(this.#lastConsumedAt, Date.now())
    while (this.#confirmedAndConsumed < this.#confirmedAt.size) {
      if (excused && this.unconsumed().every(excused)) return
      const now = Date.now()
      if (now - this.#lastConsumedAt > quietMs || now > deadline) return
      await new Promise((resolve) => setTimeout(resolve, excused ? 500 : 100))
    }
  }

  /** Confirmed messageIds nobody consumed. */
  unconsumed(): string[] {
    return [...this.#confirmedAt.keys()].filter((id) => !this.#consumed.has(id))
  }

  /** How many publishes were confirmed from `from` to `to` (epoch ms). */
  confirmedBetween(from: number, to: number): number {
    let count = 0
    for (const at of this.#confirmedAt.values()) if (at >= from && at <= to) count++
    return count
  }

  /** When `id` was published (undefined if it never was). */
  publishedAt(id: string): number | undefined {
    return this.#publishedAt.get(id)
  }

  /** The report row; `excused` tells confirmed ids whose loss the scenario itself caused. */
  result(scenario: string, excused: (id: string) => boolean = () => false): FaultResult {
    let duplicates = 0
    for (const { count } of this.#consumed.values()) duplicates += count - 1
    const lost = this.unconsumed().filter((id) => !excused(id)).length
    return {
      scenario,
      published: this.published,
      confirmed: this.confirmed,
      consumedUnique: this.consumedUnique,
      lost,
      duplicates,
      recoveryMs: this.#recoveryMs(),
      maxStallMs: this.#maxStallMs,
    }
  }

  #recoveryMs(): number | null {
    const from = this.#faultEndedAt
    if (from === undefined) return null
    let first: number | undefined
    for (const [id, publishedAt] of this.#publishedAt) {
      if (publishedAt < from) continue
      const confirmedAt = this.#confirmedAt.get(id)
      const consumedAt = this.#consumed.get(id)?.at
      if (confirmedAt === undefined || consumedAt === undefined) continue
      const done = Math.max(confirmedAt, consumedAt)
      if (first === undefined || done < first) first = done
    }
    return first === undefined ? null : first - from
  }

  #tick(): void {
    const due = Math.floor((this.rate * (Date.now() - this.#startedAt)) / 1000)
    while (this.#sent < due) this.#publishOne(`${this.#options.prefix}-${this.#sent++}`)
  }

  #publishOne(id: string): void {
    this.#publishedAt.set(id, Date.now())
    const settled = this.#options.publish({ id, faulty: this.#faulty }).then(
      () => this.#onConfirm(id),
      (error: unknown) => {
        const code =
          (error as { code?: string } | undefined)?.code ?? (error as Error)?.name ?? 'unknown'
        this.#rejections.set(code, (this.#rejections.get(code) ?? 0) + 1)
      },
    )
    this.#pending.add(settled)
    void settled.finally(() => this.#pending.delete(settled))
  }

  #onConfirm(id: string): void {
    const now = Date.now()
    if (this.#lastConfirmAt !== undefined) {
      this.#maxStallMs = Math.max(this.#maxStallMs, now - this.#lastConfirmAt)
    }
    this.#lastConfirmAt = now
    this.#confirmedAt.set(id, now)
    if (this.#consumed.has(id)) this.#confirmedAndConsumed++
  }
}
