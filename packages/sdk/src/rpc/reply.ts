import type { ConsumeMessage } from 'amqplib'
import type { Schema } from '../schema.js'
import { decodeBody } from '../consume/decode.js'
import type { Keyring } from '../encryption/keyring.js'
import { RemoteError } from '../errors.js'
import { HEADERS } from '../headers.js'
import type { Envelope } from '../publish/envelope.js'
import { validateBody } from '../publish/validate.js'

/** RabbitMQ's direct reply-to pseudo queue: replies go straight to the requesting channel. */
export const REPLY_TO = 'amq.rabbitmq.reply-to'

/** A request's properties: the reply comes to direct reply-to, and is not wanted after `deadline`. */
export function requestProperties(
  properties: Envelope['properties'],
  correlationId: string,
  deadline: number,
): Envelope['properties'] {
  return {
    ...properties,
    correlationId,
    replyTo: REPLY_TO,
    mandatory: true,
    headers: { ...properties.headers, [HEADERS.deadline]: deadline },
  }
}

/**
 * What a reply means for its request: its body (checked by the request's `reply` schema), or
 * the responder's error as a `RemoteError`, or why it could not be read.
 */
export function readReply(
  message: ConsumeMessage,
  routingKey: string,
  keyring: Keyring | undefined,
  reply: Schema | undefined,
): { ok: true; body: unknown } | { ok: false; error: Error } {
  const decoded = decodeBody(message, undefined, routingKey, keyring)
  if (!decoded.ok) return decoded
  const failed: unknown = message.properties.headers?.[HEADERS.replyError]
  if (failed !== undefined) {
    const body = (decoded.body ?? {}) as { name?: unknown; message?: unknown; code?: unknown }
    const error = new RemoteError({
      name: typeof body.name === 'string' ? body.name : String(failed),
      message: typeof body.message === 'string' ? body.message : '',
      code: typeof body.code === 'string' ? body.code : undefined,
    })
    return { ok: false, error }
  }
  if (!reply) return { ok: true, body: decoded.body }
  const checked = validateBody(reply, decoded.body, `reply to '${routingKey}'`)
  return checked.ok ? { ok: true, body: checked.data } : checked
}
