// Rascal ships no types; this covers the part of its documented API the benchmark uses.
declare module 'rascal' {
  import type { EventEmitter } from 'node:events'

  export interface Publication extends EventEmitter {
    on(event: 'success', listener: (messageId: string) => void): this
    on(event: 'error', listener: (error: Error, messageId: string) => void): this
    on(event: 'return', listener: (message: unknown) => void): this
  }

  export interface Subscription extends EventEmitter {
    on(
      event: 'message',
      listener: (message: unknown, content: unknown, ackOrNack: (error?: Error) => void) => void,
    ): this
    on(event: 'error' | 'invalid_content', listener: (error: Error) => void): this
    cancel(): Promise<void>
  }

  export interface BrokerAsPromised extends EventEmitter {
    publish(
      name: string,
      message: Buffer | string | object,
      overrides?: object,
    ): Promise<Publication>
    subscribe(name: string, overrides?: object): Promise<Subscription>
    shutdown(): Promise<void>
  }

  export const BrokerAsPromised: { create(config: object): Promise<BrokerAsPromised> }
  export function withDefaultConfig(config: object): object
}
