import { rejectedFrom } from './broker.js'
import { count, table, text, type Headers, type Source } from './source.js'

// Rascal (npm `rascal`, read from its 21.x source) keeps its facts in one nested table,
// `rascal`: `originalQueue` (the subscription's queue), `originalExchange` and
// `originalRoutingKey` (of the first publication), `error.message` and `error.code` (of the last
// failure it republished or forwarded), and per queue `recovery.<queue>.republished`,
// `.forwarded` and `.immediateNack`. It records no time: a forwarded dead letter has none.

/** The facts of a message that Rascal republished or forwarded. */
export function rascal(h: Headers): Source {
  const r = table(h['rascal'])
  if (r === undefined) return {}
  const originalQueue = text(r['originalQueue'])
  const error = table(r['error'])
  const recovery = Object.values(table(r['recovery']) ?? {}).map((entry) => table(entry) ?? {})
  const sum = (key: string) =>
    recovery.reduce((total, entry) => total + (count(entry[key]) ?? 0), 0)
  const forwarded = sum('forwarded')
  const rejected = rejectedFrom(h, originalQueue)
  return {
    // The broker's record says why when it was the last to act; a forward leaves no record.
    reason: forwarded > 0 && !rejected ? 'forwarded' : undefined,
    originalQueue,
    exchange: text(r['originalExchange']),
    routingKey: text(r['originalRoutingKey']),
    // Each republish and each forward followed one failure; a nack is the broker's to count. With
    // immediateNack, Rascal replaces the republish count with a mark and nacks the copy on
    // arrival: one rejection stands for each failure then.
    failures: recovery.length === 0 ? undefined : sum('republished') + forwarded,
    error: { name: text(error?.['code']), message: text(error?.['message']) },
  }
}
