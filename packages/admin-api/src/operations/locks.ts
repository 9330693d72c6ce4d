import { ApiError } from '../errors.js'

/**
 * One operation per dead-letter queue at a time: two scans of one queue would see each other's
 * held messages and could requeue or archive a message twice. In memory, so it holds for one
 * admin API process (one admin API per broker, as the README's deployment says).
 */
export class QueueLocks {
  readonly #held = new Set<string>()

  /** Whether an operation runs on `vhost`/`queue` right now. */
  held(vhost: string, queue: string): boolean {
    return this.#held.has(JSON.stringify([vhost, queue]))
  }

  /** Runs `work` holding the lock of `vhost`/`queue`; 409 when somebody else holds it. */
  async with<T>(vhost: string, queue: string, work: () => Promise<T>): Promise<T> {
    const key = JSON.stringify([vhost, queue])
    if (this.#held.has(key)) {
      throw new ApiError(
        409,
        'operation-in-progress',
        'Another operation is running on this queue',
        `Wait for it to finish, then retry: ${queue} in vhost ${vhost}`,
      )
    }
    this.#held.add(key)
    try {
      return await work()
    } finally {
      this.#held.delete(key)
    }
  }
}
