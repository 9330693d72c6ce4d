import type { Options } from 'amqplib'
import type { Handler, Message } from '../consume/message.js'
import { seal } from '../encryption/seal.js'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { encodeBody } from '../publish/encode.js'
import { uuidv7 } from '../publish/uuid.js'
import type { Runtime } from '../runtime.js'

/** Answers one request: what it returns (or resolves with) is the reply's body. */
export type Responder<Body = unknown, Reply = unknown> = (
  message: Message<Body>,
) => Reply | Promise<Reply>

/** The shared runtime's part a responder uses; the fake broker's replies go to its requests. */
export interface RespondContext extends Pick<Runtime, 'logger' | 'service' | 'keyring'> {
  publisher: Pick<Runtime['publisher'], 'publish'>
}

/**
 * Wraps a responder into a consume handler. A request (it names `replyTo`) gets the responder's
 * result, or its error as a `warren-reply-error` reply, and is acked either way: the requester
 * decides whether to ask again, so a request is never retried behind its back. A message without
 * `replyTo` is an ordinary one: the responder's error retries or dead-letters it as usual.
 */
export function replyingHandler(context: RespondContext, responder: Responder): Handler<unknown> {
  return async (message) => {
    const { replyTo, correlationId } = message.properties as {
      replyTo?: string
      correlationId?: string
    }
    const deadline = Number(message.headers[HEADERS.deadline])
    if (replyTo && Number.isFinite(deadline) && Date.now() > deadline) {
      // The requester gave up already: running the request would only do work nobody reads.
      context.logger.info({
        event: 'request-expired',
        messageId: message.messageId,
        queue: message.queue,
      })
      return
    }
    let body: unknown
    let failure: Error | undefined
    try {
      body = await responder(message)
    } catch (error) {
      if (!replyTo) throw error
      failure = error instanceof Error ? error : new Error(String(error))
    }
    if (!replyTo) return
    const encoded = encodeBody(
      failure
        ? {
            name: failure.name,
            message: failure.message,
            code: failure instanceof WarrenError ? failure.code : undefined,
          }
        : body,
    )
    let { content, contentType } = encoded
    const headers: Record<string, unknown> = {}
    if (failure) headers[HEADERS.replyError] = failure.name
    if (context.keyring) {
      const sealed = seal(context.keyring, content, contentType)
      ;({ content, contentType } = sealed)
      Object.assign(headers, sealed.headers)
    }
    // Direct reply-to is no queue: a mandatory reply would always come back as unroutable, and
    // a reply nobody waits for any more is dropped by the broker, which is what we want.
    const properties: Options.Publish & { messageId: string } = {
      messageId: uuidv7(),
      timestamp: Math.floor(Date.now() / 1000),
      contentType,
      appId: context.service,
      persistent: false,
      mandatory: false,
      headers,
    }
    if (correlationId !== undefined) properties.correlationId = correlationId
    await context.publisher.publish('', replyTo, content, properties)
  }
}
