/** Delay before reconnect attempt `attempt` (1-based): exponential, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  options: { initialDelayMs: number; maxDelayMs: number; factor: number; jitter: number },
  random: () => number = Math.random,
): number {
  const base = Math.min(
    options.maxDelayMs,
    options.initialDelayMs * options.factor ** (attempt - 1),
  )
  const spread = 1 - options.jitter + random() * 2 * options.jitter
  return Math.max(0, Math.min(options.maxDelayMs, Math.round(base * spread)))
}
