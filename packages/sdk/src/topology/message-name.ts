import type { Schema } from '../schema.js'

/** The message schemas of a topology, by message name. */
export type MessageSchemas = Readonly<Record<string, Schema>>

/**
 * The one rule for a message's name, which picks its schema and its handler: on publish it is
 * `options.type` when given, else the routing key, and the SDK sends it as the `type` property;
 * on receipt it is that `type` property, else the routing key the message was first published
 * with (a message from a client that sets no `type`).
 */
export function publishedName(routingKey: string, type: string | undefined): string {
  return type ?? routingKey
}

/** The name of a received message; see `publishedName`. */
export function receivedName(type: unknown, routingKey: string): string {
  return typeof type === 'string' && type !== '' ? type : routingKey
}

/** The schema a message of this name is validated by, if its topology has one. */
export function schemaOf(messages: MessageSchemas | undefined, name: string): Schema | undefined {
  return messages?.[name]
}
