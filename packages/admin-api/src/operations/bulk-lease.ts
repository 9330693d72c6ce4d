// The owner lease of the bulk operations one runner runs: its random instance id, the claims it
// makes, and the timer that renews its leases and, once it watches, takes over operations whose
// owner stopped renewing (an instance killed without releasing them).
import { randomUUID } from 'node:crypto'
import type { Logger } from '../security/logger.js'
import type { BulkRecord, BulkStatus, DeadLetterStore } from '../store/types.js'

export interface LeaseKeeperOptions {
  store: DeadLetterStore
  now: () => number
  leaseMs: number
  renewMs: number
  log?: Logger | undefined
  /** The operations this instance runs now. */
  held(): string[]
  /** Another instance took `id` (this one stopped renewing in time): its run must stop. */
  lost(id: string): void
  /** Claims what is free; run on each tick while watching. */
  sweep(): Promise<unknown>
}

export class LeaseKeeper {
  /** This runner's id in `BulkRecord.owner`. */
  readonly owner = randomUUID()
  readonly #options: LeaseKeeperOptions
  #timer: NodeJS.Timeout | undefined
  #watching = false
  #ticking = false

  constructor(options: LeaseKeeperOptions) {
    this.#options = options
  }

  /** Until when a lease taken or renewed now holds. */
  until(): number {
    return this.#options.now() + this.#options.leaseMs
  }

  /** The operation, now this instance's, when its status is one of `from` and its lease free. */
  claim(id: string, from: readonly BulkStatus[], status?: BulkStatus): Promise<BulkRecord | null> {
    const { store, now, leaseMs } = this.#options
    const claim = { owner: this.owner, now: now(), leaseMs, from }
    return store.claimBulk(id, status === undefined ? claim : { ...claim, status })
  }

  release(id: string): Promise<void> {
    return this.#options.store.releaseBulk(id, this.owner)
  }

  /** From now on, each tick also takes over the operations whose lease ran out. */
  watch(): void {
    this.#watching = true
    this.sync()
  }

  /** Runs the timer while there is something to renew or watch. */
  sync(): void {
    const needed = this.#watching || this.#options.held().length > 0
    if (needed && this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#tick(), this.#options.renewMs)
      this.#timer.unref()
    } else if (!needed && this.#timer !== undefined) {
      this.stop()
    }
  }

  /** No more renewing or watching; the leases held run out unless released. */
  stop(): void {
    this.#watching = false
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  async #tick(): Promise<void> {
    if (this.#ticking) return
    this.#ticking = true
    const { store, held, lost, sweep, log } = this.#options
    try {
      const ids = held()
      const renewed = new Set(await store.renewBulks(ids, this.owner, this.until()))
      for (const id of ids) if (!renewed.has(id)) lost(id)
      if (this.#watching) await sweep()
    } catch (error) {
      log?.error('bulk operation lease renewal failed', {
        error: error instanceof Error ? error.message : String(error),
      })
    } finally {
      this.#ticking = false
    }
  }
}
