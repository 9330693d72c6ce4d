import type { ConsumeMessage, MessageProperties, Options } from 'amqplib'

/** A message as the fake holds it: in a queue, or in the record of what was published. */
export interface FakeMessage {
  exchange: string
  routingKey: string
  /** JSON parsed, text as a string, anything else as bytes (no schema applied). */
  body: unknown
  headers: Record<string, unknown>
  properties: MessageProperties
  content: Buffer
}

/** What sits in a fake queue. */
export interface Stored {
  exchange: string
  routingKey: string
  content: Buffer
  properties: MessageProperties
}

/** The properties a consumer would read, from the options a publish was made with. */
export function toProperties(options: Options.Publish): MessageProperties {
  return {
    contentType: options.contentType,
    contentEncoding: options.contentEncoding,
    headers: options.headers === undefined ? undefined : { ...options.headers },
    deliveryMode: options.persistent ? 2 : 1,
    priority: options.priority,
    correlationId: options.correlationId,
    replyTo: options.replyTo,
    expiration: options.expiration,
    messageId: options.messageId,
    timestamp: options.timestamp,
    type: options.type,
    userId: options.userId,
    appId: options.appId,
    clusterId: undefined,
  }
}

export function toDelivery(stored: Stored, deliveryTag: number): ConsumeMessage {
  return {
    content: stored.content,
    fields: {
      deliveryTag,
      redelivered: false,
      exchange: stored.exchange,
      routingKey: stored.routingKey,
      consumerTag: 'fake',
    },
    properties: stored.properties,
  }
}

export function view(stored: Stored): FakeMessage {
  const type: unknown = stored.properties.contentType
  let body: unknown = stored.content
  if (type === undefined || type === 'application/json') {
    try {
      body = JSON.parse(stored.content.toString())
    } catch {
      // Not JSON after all: the bytes, as a consumer's invalid-payload check would see them.
    }
  } else if (typeof type === 'string' && type.startsWith('text/')) {
    body = stored.content.toString()
  }
  return {
    exchange: stored.exchange,
    routingKey: stored.routingKey,
    body,
    headers: stored.properties.headers ?? {},
    properties: stored.properties,
    content: stored.content,
  }
}
