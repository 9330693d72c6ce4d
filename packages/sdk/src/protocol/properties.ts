/**
 * The AMQP properties a copy of a message keeps, so that it is the same message to every reader.
 * `userId` is not among them: the broker refuses (and closes the channel on) a userId other than
 * the publishing user's. `headers` are each copier's own business.
 */
export const COPIED_PROPERTIES = [
  'contentType',
  'contentEncoding',
  'deliveryMode',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'appId',
] as const

export type CopiedProperty = (typeof COPIED_PROPERTIES)[number]

/** The copied properties with their AMQP types, as a publish takes them. */
export interface CopiedProperties {
  contentType?: string
  contentEncoding?: string
  deliveryMode?: number
  priority?: number
  correlationId?: string
  replyTo?: string
  expiration?: string
  messageId?: string
  timestamp?: number
  type?: string
  appId?: string
}

/** A received message's properties, as any AMQP client gives them. */
export type ReceivedProperties = { readonly [K in CopiedProperty]?: unknown }

/**
 * The properties of `properties` that a copy keeps, each one that is set, as it was received;
 * those named in `omit` are left to the caller.
 *
 * @example
 * const options = { ...copyProperties(delivery.properties, ['expiration']), headers }
 */
export function copyProperties<K extends CopiedProperty = never>(
  properties: ReceivedProperties,
  omit: readonly K[] = [],
): Omit<CopiedProperties, K> {
  const copy: Record<string, unknown> = {}
  for (const key of COPIED_PROPERTIES) {
    const value = properties[key]
    if (value !== undefined && value !== null && !omit.includes(key as K)) copy[key] = value
  }
  return copy as Omit<CopiedProperties, K>
}
