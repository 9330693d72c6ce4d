// What an operator's requeue changes on a dead letter. Only the overrides are returned: the caller
// spreads them over the message's own headers, which keep their AMQP types untouched; a key set
// to undefined is left out of the republished message.
import { BROKER_HEADERS, HEADERS } from '@warren/sdk/protocol'
import { parseDeadLetter } from './parse.js'
import { table } from './producers/source.js'

/**
 * Headers a requeue sets. A requeued message starts a new life: every failure counter that a
 * consumer reads to decide whether to retry starts again (`warren-attempt` at 0, Rascal's
 * republish counts, Celery's `retries`), so each grants fresh retries, and their sum so far is
 * kept in `warren-previous-attempts` for the view to add.
 */
export function requeueHeaders(headers: Record<string, unknown>, at: string) {
  const previous = Number(headers[HEADERS.requeueCount] ?? 0)
  const { attempts } = parseDeadLetter(headers)
  return {
    [HEADERS.attempt]: 0,
    [HEADERS.requeueCount]: (Number.isFinite(previous) ? previous : 0) + 1,
    [HEADERS.requeuedAt]: at,
    // Unknown (a delivery-limit death on 3.x): what earlier requeues knew stays.
    ...(attempts === null ? {} : { [HEADERS.previousAttempts]: attempts }),
    // Why it died no longer holds once it is back on its queue; the next death says anew.
    [HEADERS.deadLetterReason]: undefined,
    // RabbitMQ 3.x would add the next death to this record's count and keep its first time;
    // 4.x replaces a record a client published. Either way it belongs to the life that ended.
    [BROKER_HEADERS.death]: undefined,
    'MT-Fault-RetryCount': undefined,
    ...rascalReset(headers),
    ...(typeof headers['retries'] === 'number' && headers['task'] !== undefined
      ? { retries: 0 }
      : {}),
  }
}

/** Rascal without its republish and forward counts, which it would otherwise hold against it. */
function rascalReset(headers: Record<string, unknown>) {
  const rascal = table(headers['rascal'])
  if (rascal?.['recovery'] === undefined) return {}
  const { recovery: _counted, ...rest } = rascal
  return { rascal: rest }
}
