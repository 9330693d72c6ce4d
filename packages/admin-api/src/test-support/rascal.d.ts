// Rascal ships no types; this covers the part of its documented API the producer tests use.
declare module 'rascal' {
  import type { EventEmitter } from 'node:events'

  /** One step of Rascal's recovery chain (`republish`, `forward`, `nack`, ...). */
  export interface Recovery {
    strategy: string
    attempts?: number
    publication?: string
    immediateNack?: boolean
  }

  export type AckOrNack = (error?: Error, recovery?: Recovery | Recovery[]) => void

  export interface Subscription extends EventEmitter {
    on(
      event: 'message',
      listener: (message: unknown, content: unknown, ackOrNack: AckOrNack) => void,
    ): this
    on(event: 'error' | 'invalid_content', listener: (error: Error) => void): this
    cancel(): Promise<void>
  }

  export interface BrokerAsPromised extends EventEmitter {
    publish(name: string, message: Buffer | string | object, overrides?: object): Promise<unknown>
    subscribe(name: string, overrides?: object): Promise<Subscription>
    shutdown(): Promise<void>
  }

  const rascal: {
    BrokerAsPromised: { create(config: object): Promise<BrokerAsPromised> }
    withDefaultConfig(config: object): object
  }
  export default rascal
}
