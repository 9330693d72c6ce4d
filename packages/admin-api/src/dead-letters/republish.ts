import type { MessageProperties, Options } from 'amqplib'

/** Headers the broker owns and sets itself on delivery; publishing them back would be stale. */
const BROKER_DELIVERY_HEADERS = ['x-delivery-count', 'x-stream-offset']

/**
 * Publish options that reproduce a message's properties and headers. `userId` is left out: the
 * broker refuses (and closes the channel on) a userId other than the publishing user's.
 */
export function republishOptions(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): Options.Publish {
  const options: Options.Publish = {}
  const copy = <K extends keyof Options.Publish & keyof MessageProperties>(key: K) => {
    const value: unknown = properties[key]
    if (value !== undefined && value !== null) options[key] = value as Options.Publish[K]
  }
  copy('contentType')
  copy('contentEncoding')
  copy('deliveryMode')
  copy('priority')
  copy('correlationId')
  copy('replyTo')
  copy('expiration')
  copy('messageId')
  copy('timestamp')
  copy('type')
  copy('appId')
  const kept = { ...headers }
  for (const key of BROKER_DELIVERY_HEADERS) delete kept[key]
  options.headers = kept
  return options
}
