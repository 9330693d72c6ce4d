import type { HistoryWindow } from '../rabbit/management.js'
import type { MetricsReading } from '../rabbit/prometheus.js'
import type { Sample } from '../rabbit/samples.js'

/** One reading of the Prometheus plugin and when it was taken (epoch ms). */
export interface Snapshot {
  t: number
  reading: MetricsReading
}

/** A figure read out of one snapshot; undefined where the snapshot has none (a newer queue). */
export type Figure = (reading: MetricsReading) => number | undefined

/** Readings kept this far apart, so ten minutes are 60 of them whatever the polling. */
const STEP_MS = 10_000
/** A rate spans at least this much, as the broker updates its counters every 5 s. */
const MIN_RATE_SPAN_MS = 5_000

/**
 * What the management API would have sampled, rebuilt from Prometheus readings: the last ten
 * minutes at 10 s steps (plus the latest reading), per-second rates and series of samples in the
 * management API's own shape, so everything downstream reads them the same way.
 */
export class MetricsHistory {
  readonly #kept: Snapshot[] = []
  readonly #retainMs: number
  #latest: Snapshot | undefined

  /** @param retainMs how far back readings are kept. @default 620000 (ten minutes and a step) */
  constructor(retainMs = 600_000 + 2 * STEP_MS) {
    this.#retainMs = retainMs
  }

  latest(): Snapshot | undefined {
    return this.#latest
  }

  add(snapshot: Snapshot): void {
    this.#latest = snapshot
    const last = this.#kept.at(-1)
    // A little slack, so a timer that fires a few ms early still keeps its reading.
    if (!last || snapshot.t - last.t >= STEP_MS * 0.9) this.#kept.push(snapshot)
    while ((this.#kept[0]?.t ?? Infinity) < snapshot.t - this.#retainMs) this.#kept.shift()
  }

  /**
   * Per second, from the latest reading back to the newest kept one at least 5 s older; 0 until
   * there is one, or when the counter went down (the queue was declared again).
   */
  rate(figure: Figure): number {
    const latest = this.#latest
    if (!latest) return 0
    const base = this.#kept.findLast((s) => s.t <= latest.t - MIN_RATE_SPAN_MS)
    if (!base) return 0
    const now = figure(latest.reading) ?? 0
    const then = figure(base.reading) ?? 0
    return Math.max(0, ((now - then) * 1000) / (latest.t - base.t))
  }

  /** The figure's samples over `window`, one per step of it, oldest first. */
  samples(figure: Figure, window: HistoryWindow): Sample[] {
    const latest = this.#latest
    if (!latest) return []
    const from = latest.t - window.ageSeconds * 1000
    const stepMs = window.incrSeconds * 1000
    const byStep = new Map<number, Sample>()
    const all = this.#kept.at(-1) === latest ? this.#kept : [...this.#kept, latest]
    for (const snapshot of all) {
      if (snapshot.t < from) continue
      const value = figure(snapshot.reading)
      if (value === undefined) continue
      // The last reading of each step stands for it.
      byStep.set(Math.floor(snapshot.t / stepMs), { sample: value, timestamp: snapshot.t })
    }
    return [...byStep.values()]
  }
}
