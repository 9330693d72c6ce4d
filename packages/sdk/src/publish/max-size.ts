/** RabbitMQ's `max_message_size` when not configured: 128 MiB on 3.8 to 3.13, 16 MiB from 4.0. */
export const DEFAULT_MAX_MESSAGE_SIZE_3 = 128 * 1024 * 1024
export const DEFAULT_MAX_MESSAGE_SIZE_4 = 16 * 1024 * 1024

// The broker's PRECONDITION_FAILED reply is the only place that tells a client its real limit:
// "message size 16777217 is larger than configured max size 16777216".
const REFUSED = /message size (\d+) is larger than configured max size (\d+)/

/**
 * The largest body the broker takes. AMQP does not announce `max_message_size`, so unless the
 * caller set it, it is the default of the version the broker reports in its server properties.
 */
export function defaultMaxMessageSize(serverVersion: string): number {
  const major = Number.parseInt(serverVersion.split('.')[0] ?? '', 10)
  return Number.isFinite(major) && major < 4
    ? DEFAULT_MAX_MESSAGE_SIZE_3
    : DEFAULT_MAX_MESSAGE_SIZE_4
}

/** The limit the broker named when it closed a channel over a too large message, else undefined. */
export function refusedMaxSize(error: Error): number | undefined {
  const match = REFUSED.exec(error.message)
  return match ? Number(match[2]) : undefined
}
