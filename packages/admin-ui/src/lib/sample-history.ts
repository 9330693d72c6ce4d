/** One reading of a few figures at a moment (epoch ms). */
export interface Sample<K extends string> {
  t: number
  values: Record<K, number>
}

export interface SampleHistory<K extends string> {
  add(sample: Sample<K>): void
  subscribe(listener: () => void): () => void
  getSnapshot(): readonly Sample<K>[]
}

/**
 * A bounded, subscribable list of samples, for charts of figures the API reports only as "now"
 * (the broker-wide rates). It lives outside React so it survives leaving and re-entering a screen;
 * read it with `useSyncExternalStore`.
 */
export function createSampleHistory<K extends string>(max: number): SampleHistory<K> {
  let samples: readonly Sample<K>[] = []
  const listeners = new Set<() => void>()
  return {
    add(sample) {
      samples = [...samples, sample].slice(-max)
      for (const listener of listeners) listener()
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    getSnapshot: () => samples,
  }
}
