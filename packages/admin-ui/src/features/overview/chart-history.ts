import type { Sample } from '../../lib/sample-history.js'

export type RateName = 'publish' | 'deliver' | 'ack' | 'redeliver' | 'deadLetter'

/** A point of the server's history (`GET /api/overview` → `history`). */
export type HistoryPoint = { t: number } & Record<RateName, number>

/**
 * What the charts plot: the broker's last ten minutes at 10 s steps (so they have a past when the
 * page opens), then the readings this page took since the server's last step, at the poll rate.
 */
export function chartHistory(
  server: readonly HistoryPoint[],
  live: readonly Sample<RateName>[],
): Sample<RateName>[] {
  const past = server.map(({ t, publish, deliver, ack, redeliver, deadLetter }) => ({
    t,
    values: { publish, deliver, ack, redeliver, deadLetter },
  }))
  const last = past.at(-1)?.t ?? -Infinity
  return [...past, ...live.filter((sample) => sample.t > last)]
}
