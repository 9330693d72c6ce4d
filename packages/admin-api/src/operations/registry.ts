import { randomUUID } from 'node:crypto'
import { ApiError } from '../errors.js'
import type { OperationKind, OperationView } from '../dead-letters/schemas.js'

/** How long a finished operation can still be polled. */
const KEEP_FINISHED_MS = 15 * 60 * 1000
/** Bounds memory whatever the clients do. */
const MAX_KEPT = 1000

/** The handle an operation reports its progress through. */
export interface Progress {
  readonly id: string
  setTotal(total: number): void
  advance(by?: number): void
}

/**
 * Long operations in this process, pollable by id while they run and for a while after.
 * Kept in memory: an operation does not outlive the process that runs it.
 */
export class OperationRegistry {
  readonly #operations = new Map<string, OperationView>()

  /** Runs `work` as an operation; `id` is the client's own id, when it wants to poll. */
  async run<T>(
    start: { id?: string | undefined; kind: OperationKind; vhost: string; queue: string },
    work: (progress: Progress) => Promise<T>,
  ): Promise<T> {
    this.#prune()
    const id = start.id ?? randomUUID()
    if (this.#operations.has(id)) {
      throw new ApiError(
        409,
        'operation-exists',
        'Operation id already used',
        `Operation ${id} exists`,
      )
    }
    const view: OperationView = {
      id,
      kind: start.kind,
      vhost: start.vhost,
      queue: start.queue,
      total: 0,
      done: 0,
      status: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      error: null,
    }
    this.#operations.set(id, view)
    const progress: Progress = {
      id,
      setTotal: (total) => {
        view.total = total
      },
      advance: (by = 1) => {
        view.done += by
      },
    }
    try {
      const result = await work(progress)
      view.status = 'succeeded'
      return result
    } catch (error) {
      view.status = 'failed'
      view.error = error instanceof ApiError ? error.message : 'internal error'
      throw error
    } finally {
      view.finishedAt = new Date().toISOString()
    }
  }

  get(id: string): OperationView | undefined {
    const view = this.#operations.get(id)
    return view && { ...view }
  }

  #prune(): void {
    const cutoff = Date.now() - KEEP_FINISHED_MS
    for (const [id, view] of this.#operations) {
      const finished = view.finishedAt === null ? undefined : Date.parse(view.finishedAt)
      if (finished !== undefined && (finished < cutoff || this.#operations.size > MAX_KEPT)) {
        this.#operations.delete(id)
      }
    }
  }
}
