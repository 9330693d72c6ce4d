import type { Schema } from '../schema.js'
import type { Duration } from '../duration.js'
import type { PublishOptions } from '../options.js'

/** Options of one `request()`; the publish options of the request message, but its own timeout. */
export interface RequestOptions extends Omit<
  PublishOptions,
  'timeout' | 'correlationId' | 'expiration' | 'delay'
> {
  /**
   * How long to wait for the reply; then the request rejects with `TimeoutError`, and a
   * responder that gets it later skips it.
   * @default '10s'
   */
  timeout?: Duration
  /** A schema the reply must match (else `ValidationError`); it types the result too. @default none */
  reply?: Schema
}

export const DEFAULT_REQUEST_TIMEOUT = '10s'
