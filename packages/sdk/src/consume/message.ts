import type { MessageProperties } from 'amqplib'

/** What a handler receives. */
export interface Message<Body = unknown> {
  /** The parsed body: JSON parsed and validated by the routing key's schema where one exists. */
  body: Body
  messageId: string
  /** This delivery's attempt, 1 for the first try. */
  attempt: number
  /** The queue consumed from. */
  queue: string
  /** The routing key it was first published with (retries keep it). */
  routingKey: string
  exchange: string
  redelivered: boolean
  headers: Record<string, unknown>
  properties: MessageProperties
  /** The body's bytes (decrypted, when it was sent encrypted). */
  content: Buffer
}

/** A handler: resolving acks the message; throwing retries or dead-letters it. */
export type Handler<Body = unknown> = (message: Message<Body>) => Promise<void> | void

/**
 * One handler per message name (the `type` property, else the routing key it was published
 * with). A message no entry handles is dead-lettered with reason `no-handler`.
 */
export type HandlerMap = Readonly<Record<string, Handler<never> | undefined>>
