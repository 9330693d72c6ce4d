import type { EventEmitter } from 'node:events'
import type { BrokerEvents } from './broker-types.js'
import type { ConnectionManager } from './connection/connection-manager.js'
import type { Parts } from './parts.js'
import type { Runtime } from './runtime.js'

/**
 * A broker's answer to its connection's events: on a loss every part lets go of its channels (the
 * next connection attaches them again), while blocked the publisher holds, and each event reaches
 * the broker's listeners.
 */
export function followConnection(
  connection: ConnectionManager,
  runtime: Pick<Runtime, 'publisher' | 'logger' | 'metrics'>,
  parts: Parts,
  events: EventEmitter<BrokerEvents>,
): void {
  const { publisher, logger, metrics } = runtime
  connection.on('connected', ({ url, serverVersion, reconnected }) => {
    if (reconnected) metrics?.reconnected()
    events.emit(reconnected ? 'reconnected' : 'connected', { url, serverVersion })
  })
  connection.on('disconnected', ({ error }) => {
    parts.detach()
    events.emit('disconnected', { error })
  })
  connection.on('blocked', ({ reason }) => {
    logger.warn({ event: 'blocked', reason }, 'broker blocked publishing')
    publisher.setBlocked(true)
    events.emit('blocked', { reason })
  })
  connection.on('unblocked', () => {
    logger.info({ event: 'unblocked' }, 'broker unblocked publishing')
    publisher.setBlocked(false)
    events.emit('unblocked')
  })
}
