import type { Discovery } from '../discovery/index.js'
import type { Logger } from '../security/logger.js'
import {
  evaluateRules,
  snapshotOf,
  type Baseline,
  type QueueSample,
  type Snapshot,
} from './rules.js'
import type { Alert, AlertThresholds } from './types.js'

/** Options of the alert monitor. */
export interface AlertMonitorOptions {
  discovery: Discovery
  log: Logger
  thresholds: AlertThresholds
  /** How often to evaluate in the background. @default 15000 */
  intervalMs?: number
  /** Gets `{ event: 'alert.started' | 'alert.ended', alert }` POSTed. @default undefined */
  webhook?: string | undefined
  /** The fetch used for the webhook. @default globalThis.fetch */
  fetch?: typeof fetch
  /** @default Date.now */
  now?: () => number
}

/** Watches the broker's queues, keeps the active alerts, calls the webhook on changes. */
export interface AlertMonitor {
  /**
   * Evaluates from the broker's state read after this call and returns the active alerts.
   * Concurrent callers share evaluations.
   */
  evaluate(): Promise<Alert[]>
  /** The alerts active at the last evaluation. */
  active(): Alert[]
  /** Starts evaluating every `intervalMs` (the first after one interval). */
  start(): void
  /** Stops the timer and waits for webhook calls in flight. */
  stop(): Promise<void>
}

const WEBHOOK_TIMEOUT_MS = 5000

export function createAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  const now = options.now ?? Date.now
  const doFetch = options.fetch ?? globalThis.fetch
  const windowMs = options.thresholds.windowMs
  const history: Snapshot[] = []
  const firstSeen = new Map<string, { at: number; sample: QueueSample }>()
  const active = new Map<string, Alert>()
  const pending = new Set<Promise<void>>()
  let timer: ReturnType<typeof setInterval> | undefined
  let running: Promise<Alert[]> | undefined
  let queued: Promise<Alert[]> | undefined

  function notify(event: 'alert.started' | 'alert.ended', alert: Alert) {
    const webhook = options.webhook
    if (!webhook) return
    const call = doFetch(webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event, alert, at: new Date(now()).toISOString() }),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      // A redirect would re-post the alert to wherever the webhook's server points: not followed.
      redirect: 'manual',
    })
      .then(async (response) => {
        await response.body?.cancel()
        if (!response.ok) options.log.warn('alert webhook refused', { status: response.status })
      })
      // The webhook URL may hold a secret (e.g. a chat hook), so it is never logged.
      .catch((error: unknown) => options.log.warn('alert webhook failed', { error }))
      .finally(() => pending.delete(call))
    pending.add(call)
  }

  /**
   * A queue's sample at the start of the window: from the latest snapshot at least one window
   * old, else from the evaluation that first saw the queue. The first sighting is recorded at
   * every evaluation, not only when a snapshot is due: a queue declared between two snapshots
   * would otherwise get as its baseline a snapshot taken after its first dead letters, and
   * never alert on them.
   */
  function baseline(at: number): Baseline {
    return (key) => {
      const first = firstSeen.get(key)
      if (!first || first.at >= at) return undefined
      let chosen = first.sample
      for (const snapshot of history) {
        if (snapshot.at > at - windowMs) break
        // A snapshot from before the first sighting saw an earlier queue of the same name.
        if (snapshot.at >= first.at) chosen = snapshot.queues.get(key) ?? chosen
      }
      return chosen
    }
  }

  async function run(): Promise<Alert[]> {
    const topology = await options.discovery.topology()
    const current = snapshotOf(topology)
    for (const [key, sample] of current.queues) {
      if (!firstSeen.has(key)) firstSeen.set(key, { at: topology.at, sample })
    }
    for (const key of firstSeen.keys()) if (!current.queues.has(key)) firstSeen.delete(key)
    // Enough snapshots to place the window's start, not one per request.
    const last = history.at(-1)
    if (!last || topology.at - last.at >= Math.max(1000, windowMs / 30)) history.push(current)
    // Keep one snapshot older than the window as the baseline, drop the rest.
    while (history.length > 2 && (history[1]?.at ?? 0) <= topology.at - windowMs) history.shift()
    const found = evaluateRules(topology, baseline(topology.at), options.thresholds)
    const seen = new Set<string>()
    for (const candidate of found) {
      const key = `${candidate.rule}\u0000${candidate.vhost}\u0000${candidate.queue}`
      seen.add(key)
      const existing = active.get(key)
      if (existing) {
        existing.value = candidate.value
        continue
      }
      const alert: Alert = { ...candidate, since: new Date(now()).toISOString() }
      active.set(key, alert)
      notify('alert.started', alert)
    }
    for (const [key, alert] of active) {
      if (seen.has(key)) continue
      active.delete(key)
      notify('alert.ended', alert)
    }
    return [...active.values()]
  }

  const evaluate = (): Promise<Alert[]> => {
    if (!running) {
      running = run().finally(() => {
        running = undefined
      })
      return running
    }
    // The run in flight may have read the broker before this call. Callers that arrive meanwhile
    // share one more run after it, so every answer is at least as new as its request.
    queued ??= running.then(
      () => next(),
      () => next(),
    )
    return queued
  }
  const next = () => {
    queued = undefined
    return evaluate()
  }

  return {
    evaluate,
    active: () => [...active.values()],
    start() {
      if (timer) return
      timer = setInterval(() => {
        evaluate().catch((error: unknown) => options.log.warn('alert evaluation failed', { error }))
      }, options.intervalMs ?? 15_000)
      timer.unref()
    },
    async stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      await queued?.catch(() => undefined)
      await running?.catch(() => undefined)
      await Promise.all([...pending])
    },
  }
}
