import type { Link } from './connection/connection-manager.js'
import { TopologyError } from './errors.js'

/** A part of a broker that follows its connection: it attaches to each one and lets go on loss. */
export interface Part {
  attach(link: Link): Promise<void> | void
  /** Absent where the part notices the loss itself (the request client's reply channel). */
  detach?(): void
}

/**
 * What a part's failure to attach means for the connection: `fatal` fails the setup (the
 * connection is retried); `topology` reports a `TopologyError` and goes on (a mismatch does not
 * heal by reconnecting, and the other parts must not wait on it); `report` reports any error.
 */
export type AttachFailure = 'fatal' | 'topology' | 'report'

/**
 * The parts attached to a broker's connection, in the order they attach: the delay levels before
 * the publisher sends what it holds, the publisher before the consumers that publish retries.
 */
export class Parts {
  readonly #entries = new Map<Part, AttachFailure>()

  add(part: Part, failure: AttachFailure = 'fatal'): void {
    this.#entries.set(part, failure)
  }

  delete(part: Part): void {
    this.#entries.delete(part)
  }

  /** The parts of one kind, e.g. every consumer. */
  of<P extends Part>(kind: abstract new (...args: never[]) => P): P[] {
    const found: P[] = []
    for (const part of this.#entries.keys()) if (part instanceof kind) found.push(part)
    return found
  }

  async attach(link: Link, report: (error: Error) => void): Promise<void> {
    for (const [part, failure] of this.#entries) {
      try {
        await part.attach(link)
      } catch (error) {
        if (failure === 'fatal') throw error
        if (failure === 'topology' && !(error instanceof TopologyError)) throw error
        report(error as Error)
      }
    }
  }

  detach(): void {
    for (const part of this.#entries.keys()) part.detach?.()
  }
}
