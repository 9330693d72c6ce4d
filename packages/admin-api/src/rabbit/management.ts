import type { z } from 'zod'
import { ApiError } from '../errors.js'
import {
  bindingSchema,
  exchangeSchema,
  nodeSchema,
  vhostSchema,
  overviewSchema,
  pageSchema,
  policySchema,
  queueSchema,
  type ManagementBinding,
  type ManagementExchange,
  type ManagementNode,
  type ManagementOverview,
  type ManagementPolicy,
  type ManagementQueue,
} from './management-schemas.js'

/** Options of the management API client. */
export interface ManagementOptions {
  /**
   * Base URL, e.g. `http://127.0.0.1:15672`, or one per cluster node: a request that meets a
   * network error, a timeout or a 5xx moves on to the next one, and later requests start at the
   * last one that answered.
   */
  url: string | readonly string[]
  /** @default 'guest' */
  user?: string
  /** @default 'guest' */
  password?: string
  /** @default 5000 */
  timeoutMs?: number
  /** The fetch to use; tests pass a spy. @default globalThis.fetch */
  fetch?: typeof fetch
  /** The clock of the statistics check (epoch ms). @default Date.now */
  now?: () => number
}

/** How much history `queue()` asks for: the window and the step between samples, in seconds. */
export interface HistoryWindow {
  ageSeconds: number
  incrSeconds: number
}

/** The part of the management HTTP API that Warren reads, with zod-checked answers. */
export interface ManagementClient {
  /** Broker-wide figures; with `history`, also rate and depth samples over that window. */
  overview(history?: HistoryWindow): Promise<ManagementOverview>
  nodes(): Promise<ManagementNode[]>
  /** The names of the broker's vhosts. */
  vhosts(): Promise<string[]>
  /** Every queue (of one vhost when given), fetched page by page. */
  queues(vhost?: string): Promise<ManagementQueue[]>
  /** One queue with depth and rate samples over `history`; 404 ApiError when it doesn't exist. */
  queue(vhost: string, name: string, history: HistoryWindow): Promise<ManagementQueue>
  bindings(vhost?: string): Promise<ManagementBinding[]>
  exchanges(vhost?: string): Promise<ManagementExchange[]>
  policies(vhost?: string): Promise<ManagementPolicy[]>
  /**
   * Whether the broker keeps no message statistics (its overview's `disable_stats`), asked at
   * most once per {@link STATS_CHECK_MS} and learnt from every overview read meanwhile.
   */
  statsDisabled(): Promise<boolean>
  /** The base URL (without credentials) of the management API that answered last, if any did. */
  answeredBy(): string | undefined
}

const PAGE_SIZE = 500
/** How long the broker's answer to "do you keep statistics?" is believed. */
export const STATS_CHECK_MS = 30_000
const QUEUE_COLUMNS = [
  'name',
  'vhost',
  'type',
  'durable',
  'arguments',
  'policy',
  'effective_policy_definition',
  'messages',
  'messages_ready',
  'messages_unacknowledged',
  'consumers',
  'head_message_timestamp',
  'message_stats',
  'messages_details',
  'state',
].join(',')

/**
 * One path segment of a management URL. Names are validated at the HTTP edge already; this
 * refuses dot segments again because `fetch` would resolve them into another path.
 */
export function segment(name: string): string {
  if (name === '' || name === '.' || name === '..') {
    throw new ApiError(400, 'invalid-name', 'Invalid name', 'A name must not be empty, "." or ".."')
  }
  return encodeURIComponent(name)
}

const historyQuery = (h: HistoryWindow) =>
  `lengths_age=${h.ageSeconds}&lengths_incr=${h.incrSeconds}` +
  `&msg_rates_age=${h.ageSeconds}&msg_rates_incr=${h.incrSeconds}`

const unavailable = (detail: string, cause?: unknown) =>
  new ApiError(502, 'management-unavailable', 'RabbitMQ management API unavailable', detail, {
    cause,
  })

/** A base URL as it may be shown: no user, password, query or trailing slash. */
function publicBase(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`
  } catch {
    return '(invalid URL)'
  }
}

/** Why one base URL did not answer; the next one is tried. */
class NodeDown {
  constructor(
    readonly detail: string,
    readonly cause?: unknown,
  ) {}
}

/** Creates a management API client. Credentials stay in the Authorization header of requests. */
export function createManagementClient(options: ManagementOptions): ManagementClient {
  const bases = (typeof options.url === 'string' ? [options.url] : [...options.url]).map((url) =>
    url.replace(/\/+$/, ''),
  )
  if (bases.length === 0) throw new TypeError('createManagementClient: at least one url')
  // Sticky: start where the last answer came from, so a dead node costs one timeout, not one
  // per request.
  let current = 0
  let answered: string | undefined
  const timeoutMs = options.timeoutMs ?? 5000
  const doFetch = options.fetch ?? globalThis.fetch
  const authorization = `Basic ${Buffer.from(
    `${options.user ?? 'guest'}:${options.password ?? 'guest'}`,
  ).toString('base64')}`
  // RabbitMQ 3.13+ trims the fields of /api/queues; /api/queues/detailed has them (404 before,
  // and 4.x has it for all vhosts only).
  let detailedQueues: boolean | undefined
  let stats: { at: number; disabled: boolean } | undefined
  const now = options.now ?? Date.now

  /** One request to one base URL: a response, or why that node counts as down. */
  async function attempt(base: string, path: string): Promise<Response | NodeDown> {
    let response: Response
    try {
      response = await doFetch(`${base}${path}`, {
        headers: { authorization, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      // The error's message may hold the URL; it stays in `cause`, which is never sent.
      const timedOut = error instanceof Error && error.name === 'TimeoutError'
      return new NodeDown(
        timedOut ? `No answer within ${timeoutMs} ms` : 'The management API cannot be reached',
        error,
      )
    }
    // A 5xx is one node's trouble (booting, losing its cluster); a 4xx would be the same on all.
    if (response.status >= 500) {
      await response.body?.cancel()
      return new NodeDown(`The management API answered ${response.status}`)
    }
    return response
  }

  /** Tries each base URL once, starting with the sticky one. */
  async function send(path: string): Promise<Response> {
    const start = current
    let last: NodeDown | undefined
    for (let i = 0; i < bases.length; i++) {
      const index = (start + i) % bases.length
      const base = bases[index] as string
      const result = await attempt(base, path)
      if (result instanceof NodeDown) {
        last = result
        continue
      }
      current = index
      answered = publicBase(base)
      return result
    }
    const detail = last?.detail ?? 'The management API cannot be reached'
    throw unavailable(
      bases.length === 1
        ? detail
        : `None of the ${bases.length} management APIs answered: ${detail}`,
      last?.cause,
    )
  }

  async function get<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
    const response = await send(path)
    if (response.status === 404) {
      await response.body?.cancel()
      throw new ApiError(404, 'not-found', 'Not found', 'No such vhost, queue or resource')
    }
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel()
      throw unavailable(`The management API refused Warren's credentials (${response.status})`)
    }
    if (!response.ok) {
      await response.body?.cancel()
      throw unavailable(`The management API answered ${response.status}`)
    }
    const parsed = schema.safeParse(await response.json().catch(() => undefined))
    if (!parsed.success) {
      throw unavailable('The management API sent an unexpected answer', parsed.error)
    }
    return parsed.data
  }

  const scoped = (path: string, vhost?: string) =>
    vhost === undefined ? `/api/${path}` : `/api/${path}/${segment(vhost)}`

  async function pagedQueues(path: string): Promise<ManagementQueue[]> {
    const items: ManagementQueue[] = []
    for (let page = 1; ; page++) {
      const query = `?page=${page}&page_size=${PAGE_SIZE}&columns=${QUEUE_COLUMNS}`
      const result = await get(`${path}${query}`, pageSchema(queueSchema))
      items.push(...result.items)
      if (page >= result.page_count) return items
    }
  }

  async function overview(history?: HistoryWindow): Promise<ManagementOverview> {
    const answer = await get(
      history ? `/api/overview?${historyQuery(history)}` : '/api/overview',
      overviewSchema,
    )
    stats = { at: now(), disabled: answer.disable_stats === true }
    return answer
  }

  async function statsDisabled(): Promise<boolean> {
    if (stats && now() - stats.at < STATS_CHECK_MS) return stats.disabled
    return (await overview()).disable_stats === true
  }

  return {
    overview,
    statsDisabled,
    nodes: () => get('/api/nodes?columns=name,running,type', nodeSchema.array()),
    vhosts: async () =>
      (await get('/api/vhosts?columns=name', vhostSchema.array())).map((vhost) => vhost.name),
    async queues(vhost) {
      const items = await pagedQueues(scoped('queues', vhost))
      const trimmed = items.length > 0 && items.every((queue) => queue.messages === undefined)
      if (!trimmed || detailedQueues === false || vhost !== undefined) return items
      // A broker without statistics has no counts in any list.
      if (await statsDisabled()) return items
      // Fresh queues on 3.10 also lack stats for a few seconds, so ask once and remember.
      try {
        const detailed = await pagedQueues('/api/queues/detailed')
        detailedQueues = true
        return detailed
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          detailedQueues = false
          return items
        }
        throw error
      }
    },
    queue: (vhost, name, history) =>
      get(`/api/queues/${segment(vhost)}/${segment(name)}?${historyQuery(history)}`, queueSchema),
    bindings: (vhost) => get(scoped('bindings', vhost), bindingSchema.array()),
    exchanges: (vhost) => get(scoped('exchanges', vhost), exchangeSchema.array()),
    policies: (vhost) => get(scoped('policies', vhost), policySchema.array()),
    answeredBy: () => answered,
  }
}
