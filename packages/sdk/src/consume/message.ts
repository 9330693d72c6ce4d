import type { MessageProperties } from 'amqplib'
import type { MessageBody, MessageName } from '../topology/types.js'

/** What a handler receives. */
export interface Message<Body = unknown> {
  /**
   * The parsed body: JSON parsed and validated by its message's schema where one exists (the
   * message is named by its `type` property, else its routing key).
   */
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

/** One handler per message name, each typed by its schema. */
export type Handlers<T> = { [K in MessageName<T>]?: Handler<MessageBody<T, K>> }
