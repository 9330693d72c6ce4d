// The part of prom-client (an optional peer) that Warren uses, as small structural interfaces:
// the declarations Warren ships name these, not 'prom-client', so a service without it still
// type-checks them (`skipLibCheck: false`). prom-client's own classes satisfy them (the SDK's
// build checks that where it loads the module).

/**
 * A prom-client `Registry`: where `connect({ metrics: { registry } })` registers the
 * `warren_*` collectors, and what `broker.metrics` returns.
 */
export interface MetricsRegistry {
  /** Every metric of the registry in the Prometheus text format. */
  metrics(): Promise<string>
  /** The `Content-Type` of `metrics()`. */
  readonly contentType: string
  getMetricsAsJSON(): Promise<unknown[]>
  resetMetrics(): void
  clear(): void
}

type Labels<L extends string> = Partial<Record<L, string | number>>

interface Collector<L extends string, R> {
  name: string
  help: string
  labelNames?: readonly L[]
  registers?: R[]
}

/** @internal */
export interface CounterLike<L extends string = string> {
  inc(value?: number): void
  labels(labels: Labels<L>): { inc(value?: number): void }
}

/** @internal */
export interface HistogramLike<L extends string = string> {
  observe(value: number): void
  labels(labels: Labels<L>): { observe(value: number): void }
}

/** @internal */
export interface GaugeLike<L extends string = string> {
  reset(): void
  set(value: number): void
  set(labels: Labels<L>, value: number): void
}

/**
 * @internal The prom-client module, as loaded when metrics are on. `R` is its `Registry`: the
 * loader checks the module against this with prom-client's own, the collectors take a
 * `MetricsRegistry` (which is a prom-client registry, given by the user or prom-client's).
 */
export interface PromClientLike<R = MetricsRegistry> {
  register: MetricsRegistry
  Counter: new <L extends string>(config: Collector<L, R>) => CounterLike<L>
  Histogram: new <L extends string>(
    config: Collector<L, R> & { buckets?: number[] },
  ) => HistogramLike<L>
  Gauge: new <L extends string>(
    config: Collector<L, R> & { collect?: (this: GaugeLike<L>) => void },
  ) => GaugeLike<L>
}
