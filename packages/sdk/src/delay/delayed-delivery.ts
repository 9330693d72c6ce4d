import type { Link } from '../connection/connection-manager.js'
import { HEADERS } from '../headers.js'
import type { Envelope } from '../publish/envelope.js'
import type { Runtime } from '../runtime.js'
import { declareDelayInfrastructure, deliverQueueExists } from './declare.js'
import { Forwarder, type ForwarderContext } from './forwarder.js'
import { delayRoute } from './levels.js'

/**
 * Delayed publish without the delayed-message plugin, as NServiceBus does it: a cascade of
 * power-of-two TTL levels. The message enters at the level of its delay's highest bit and waits
 * in the queue of every level whose bit is set; the destination rides along in headers and a
 * forwarder publishes it there at the end. The infrastructure is declared on the first delayed
 * publish; an instance that finds it already declared forwards too, so delayed messages are
 * delivered even when their publisher is gone.
 */
export class DelayedDelivery {
  readonly #forwarder: Forwarder
  /** This broker made a delayed publish: declare on every connection from now on. */
  #wanted = false
  #declaredOn: Link | undefined
  #declaring: Promise<void> | undefined

  readonly #context: Omit<ForwarderContext, 'redeclare'>

  constructor(runtime: Pick<Runtime, 'publisher' | 'logger' | 'consumerId' | 'link'>) {
    this.#context = {
      publisher: runtime.publisher,
      logger: runtime.logger,
      consumerId: runtime.consumerId,
      link: runtime.link,
    }
    this.#forwarder = new Forwarder({
      ...this.#context,
      redeclare: (link) => declareDelayInfrastructure(link.model),
    })
  }

  /** On every (re)connect, before held publishes go out. */
  async attach(link: Link): Promise<void> {
    if (!this.#wanted && !(await deliverQueueExists(link.model))) return
    await this.#declare(link)
    await this.#forwarder.attach(link)
  }

  detach(): void {
    this.#forwarder.detach()
    this.#declaredOn = undefined
  }

  /** Publishes `delayMs` (> 0) from now: whether to delay at all is the caller's decision. */
  async publish(
    exchange: string,
    routingKey: string,
    envelope: Envelope,
    delayMs: number,
    timeoutMs?: number,
  ): Promise<void> {
    const { content, properties } = envelope
    const dueAt = Date.now() + delayMs
    delayRoute(delayMs) // refuses an impossible delay before anything is declared
    this.#wanted = true
    const link = this.#context.link()
    // Disconnected: the publisher holds the message and the next setup declares first.
    if (link) {
      await this.#declare(link)
      await this.#forwarder.attach(link)
    }
    // The delay counts from the call: time spent declaring the levels is taken off it, and a
    // delay used up by it goes straight to its destination.
    const remaining = dueAt - Date.now()
    if (remaining < 1) {
      return this.#context.publisher.publish(exchange, routingKey, content, properties, timeoutMs)
    }
    const route = delayRoute(remaining)
    const { expiration, ...rest } = properties
    const headers: Record<string, unknown> = {
      ...properties.headers,
      [HEADERS.delayExchange]: exchange,
      [HEADERS.delayRoutingKey]: routingKey,
      [HEADERS.delayUntil]: new Date(dueAt).toISOString(),
    }
    // A per-message TTL would cut its wait in a level short: it starts at delivery instead.
    if (expiration !== undefined) headers[HEADERS.delayExpiration] = String(expiration)
    return this.#context.publisher.publish(
      route.exchange,
      route.routingKey,
      content,
      { ...rest, headers },
      timeoutMs,
    )
  }

  close(timeoutMs: number): Promise<void> {
    return this.#forwarder.close(timeoutMs)
  }

  #declare(link: Link): Promise<void> {
    if (this.#declaredOn === link) return Promise.resolve()
    this.#declaring ??= declareDelayInfrastructure(link.model)
      .then(() => {
        this.#declaredOn = link
      })
      .finally(() => {
        this.#declaring = undefined
      })
    return this.#declaring
  }
}
