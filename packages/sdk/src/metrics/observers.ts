/** What the publisher reports, per publish, once it settles. */
export interface PublishObserver {
  published(exchange: string, routingKey: string, outcome: PublishOutcome): void
  /** Seconds from the send to the broker's ack (confirmed or returned). */
  confirmed(seconds: number): void
}

export type PublishOutcome = 'confirmed' | 'returned' | 'failed'

/** What one consumer reports; bound to its queue once, so each call only increments. */
export interface ConsumeObserver {
  ack(): void
  retry(): void
  deadLetter(): void
  handled(seconds: number): void
}

/** Live values read when the registry is scraped, not kept up to date per message. */
export interface GaugeSource {
  buffered(): number
  inFlight(): Iterable<{ queue: string; active: number }>
}
