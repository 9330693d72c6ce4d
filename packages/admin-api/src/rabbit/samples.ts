/** One sample of a management API series: a value at a moment (epoch ms). */
export interface Sample {
  sample: number
  timestamp: number
}

const sorted = (samples: readonly Sample[] | undefined) =>
  [...(samples ?? [])].sort((a, b) => a.timestamp - b.timestamp)

/** Per-second rates between consecutive cumulative samples, keyed by the later sample's time. */
export function rateSeries(samples: readonly Sample[] | undefined): Map<number, number> {
  const points = sorted(samples)
  const rates = new Map<number, number>()
  for (let i = 1; i < points.length; i++) {
    const now = points[i]
    const before = points[i - 1]
    if (!now || !before || now.timestamp === before.timestamp) continue
    // A counter that went down was reset (a node restarted): no rate for that step.
    const delta = Math.max(0, now.sample - before.sample)
    rates.set(now.timestamp, (delta * 1000) / (now.timestamp - before.timestamp))
  }
  return rates
}

/** Level samples (queue depths) keyed by their time. */
export function levelSeries(samples: readonly Sample[] | undefined): Map<number, number> {
  return new Map(sorted(samples).map((s) => [s.timestamp, s.sample]))
}

/** Adds the values of several series that share timestamps (e.g. every DLQ's publish rate). */
export function sumSeries(series: readonly Map<number, number>[]): Map<number, number> {
  const total = new Map<number, number>()
  for (const one of series) {
    for (const [t, value] of one) total.set(t, (total.get(t) ?? 0) + value)
  }
  return total
}
