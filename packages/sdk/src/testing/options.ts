import type { TopologyDefinition } from '../topology/types.js'

/** Options of the in-memory fake broker. */
export interface FakeBrokerOptions<T extends TopologyDefinition = TopologyDefinition> {
  /** The same topology the service passes to `connect()`. @default {} */
  topology?: T
  /** `appId` of published messages and part of `warren-consumer`. @default 'warren' */
  service?: string
  /**
   * How retry tiers and delayed publishes (`{ delay }`) wait: `'immediate'` delivers at once, so
   * `drain()` settles every retry; `'timers'` waits each delay with `setTimeout`, which
   * `vi.useFakeTimers()` (or real time) then controls.
   * @default 'immediate'
   */
  delays?: 'immediate' | 'timers'
}

export interface ResolvedFakeOptions {
  topology: TopologyDefinition
  service: string
  consumerId: string
  delays: 'immediate' | 'timers'
}

export function resolveFakeOptions(options: FakeBrokerOptions): ResolvedFakeOptions {
  const service = options.service ?? 'warren'
  return {
    topology: options.topology ?? {},
    service,
    consumerId: `${service}@fake:${process.pid}`,
    delays: options.delays ?? 'immediate',
  }
}
