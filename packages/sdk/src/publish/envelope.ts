import type { Options } from 'amqplib'
import { toMs } from '../duration.js'
import type { Keyring } from '../encryption/keyring.js'
import { seal } from '../encryption/seal.js'
import { HEADERS } from '../headers.js'
import type { PublishOptions } from '../options.js'
import { publishedName, schemaOf, type MessageSchemas } from '../topology/message-name.js'
import { encodeBody } from './encode.js'
import { uuidv7 } from './uuid.js'
import { validateBody } from './validate.js'

/** A message ready for the wire: its bytes and the properties of the README's Headers. */
export interface Envelope {
  content: Buffer
  properties: Options.Publish & { messageId: string }
}

/** What every envelope of one broker shares. */
export interface EnvelopeContext {
  messages: MessageSchemas | undefined
  /** `appId` of every message. */
  service: string
  /** Seals bodies when encryption is on. */
  keyring: Keyring | undefined
}

/**
 * Validates a body against its message's schema (throws `ValidationError`), encodes it, seals it
 * when encryption is on, and sets its properties and headers. `spanHeaders` (the publish span's
 * `traceparent`) replace the caller's. No I/O: the real broker and the fake send what it builds.
 */
export function buildEnvelope(
  context: EnvelopeContext,
  routingKey: string,
  body: unknown,
  options: PublishOptions,
  spanHeaders?: Record<string, string>,
): Envelope {
  const name = publishedName(routingKey, options.type)
  const schema = schemaOf(context.messages, name)
  if (schema) {
    const result = validateBody(schema, body, `message for '${routingKey}'`)
    if (!result.ok) throw result.error
  }
  let { content, contentType } = encodeBody(body)
  const sealed = context.keyring ? seal(context.keyring, content, contentType) : undefined
  if (sealed) ({ content, contentType } = sealed)
  // Plain assignments, no spreads: this runs once per message on the publish hot path.
  const now = Date.now()
  const properties: Envelope['properties'] = {
    messageId: options.messageId ?? uuidv7(now),
    timestamp: Math.floor(now / 1000),
    contentType,
    type: name,
    appId: context.service,
    persistent: true,
    mandatory: true,
  }
  if (options.headers !== undefined || options.traceparent !== undefined || sealed || spanHeaders) {
    const headers: Record<string, unknown> = { ...options.headers, ...sealed?.headers }
    if (options.traceparent) headers[HEADERS.traceparent] = options.traceparent
    // The publish span continues the caller's traceparent and replaces it in the headers.
    if (spanHeaders) Object.assign(headers, spanHeaders)
    properties.headers = headers
  }
  if (options.correlationId !== undefined) properties.correlationId = options.correlationId
  if (options.priority !== undefined) properties.priority = options.priority
  if (options.expiration !== undefined) properties.expiration = String(toMs(options.expiration))
  return { content, properties }
}
