import { BROKER_HEADERS } from '@warren/sdk/protocol'
import { time } from '../time.js'
import { count, latest, table, text, type Headers, type Source } from './source.js'

// What RabbitMQ itself records. Measured on 3.10 and 4.3:
// - `x-death` holds one entry per queue and reason, latest first. 3.10 adds to the count of an
//   entry it finds again but keeps its first time; 4.x keeps the record of its own deaths only
//   (one a client republished is replaced). A requeue therefore drops the record
//   (requeue-headers.ts), so that every entry here belongs to the message's current life.
// - `x-delivery-count` is the failed deliveries of a quorum queue. On 3.10 a dead letter does
//   not take it along: in a quorum DLQ the header is the DLQ's own count of returns, nothing to
//   do with why the message died. From 4.3 on it travels with the message (4 in the DLQ after
//   4 failed deliveries) and grows only by failed deliveries: not by the requeueing nack with
//   which Warren hands a browsed message back, but by another reader's channel close. 4.3 also
//   adds `x-acquired-count`, which is how a 4.3 count is told from a 3.x one.

export type Death = Headers

/** The entries of `x-death`, latest first. */
export function deaths(h: Headers): Death[] {
  const list = Array.isArray(h[BROKER_HEADERS.death]) ? (h[BROKER_HEADERS.death] as unknown[]) : []
  return list.map(table).filter((entry): entry is Death => entry !== undefined)
}

/** Whether the broker dead-lettered the message from `queue` because a consumer rejected it. */
export function rejectedFrom(h: Headers, queue: string | undefined): boolean {
  return deaths(h).some((d) => text(d['queue']) === queue && text(d['reason']) === 'rejected')
}

export function broker(h: Headers): Source {
  const all = deaths(h)
  const last = all[0] ?? {}
  const keys = Array.isArray(last['routing-keys']) ? (last['routing-keys'] as unknown[]) : []
  return {
    reason:
      text(last['reason']) ??
      text(h[BROKER_HEADERS.lastDeathReason]) ??
      text(h[BROKER_HEADERS.firstDeathReason]),
    originalQueue:
      text(last['queue']) ??
      text(h[BROKER_HEADERS.lastDeathQueue]) ??
      text(h[BROKER_HEADERS.firstDeathQueue]),
    exchange:
      text(last['exchange']) ??
      text(h[BROKER_HEADERS.lastDeathExchange]) ??
      text(h[BROKER_HEADERS.firstDeathExchange]),
    routingKey: text(keys[0]),
    failures: all.length === 0 ? undefined : failures(h, all),
    deadLetteredAt: latest(all.map((d) => time(d['time']))),
  }
}

/**
 * Each rejection was a failed attempt; a death at the delivery limit stands for as many failed
 * deliveries as the limit allowed, which only a 4.3 count says. Expiry and overflow are none.
 */
function failures(h: Headers, all: Death[]): number | null {
  const rejected = all
    .filter((d) => text(d['reason']) === 'rejected')
    .reduce((sum, d) => sum + (count(d['count']) ?? 1), 0)
  const delivered =
    h[BROKER_HEADERS.acquiredCount] === undefined
      ? undefined
      : count(h[BROKER_HEADERS.deliveryCount])
  if (delivered === undefined && all.some((d) => text(d['reason']) === 'delivery_limit')) {
    return null
  }
  // A 4.3 count includes the final rejection, which x-death counts too.
  return Math.max(rejected, delivered ?? 0)
}
