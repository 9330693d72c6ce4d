// Over 300 lines: every variable of the environment, its default and its check, in one place.
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'
import { parseDuration } from './duration.js'
import { ConfigError } from './errors.js'
import { defaultPrometheusUrls } from './rabbit/prometheus.js'
import { resourceName } from './security/names.js'
import {
  LIVE_PATTERN_FORMAT,
  parseLivePatterns,
  parses,
  parseStoreSetting,
  STORE_SETTING_FORMAT,
  type LivePattern,
  type StoreSetting,
} from './store/custody.js'

/** Everything the admin API reads from its environment, after defaults and validation. */
export interface Config {
  /**
   * AMQP URLs, one per cluster node (`WARREN_AMQP_URL`, comma-separated).
   * @default ['amqp://guest:guest@127.0.0.1:5672']
   */
  amqpUrls: string[]
  /**
   * Base URLs of the RabbitMQ management API, one per cluster node (`WARREN_MANAGEMENT_URL`,
   * comma-separated). A request that gets no answer (network error, timeout, 5xx) from one moves
   * on to the next; later requests start at the last one that answered.
   * @default ['http://127.0.0.1:15672']
   */
  managementUrls: string[]
  /**
   * Base URLs of the RabbitMQ Prometheus plugin, one per cluster node (`WARREN_PROMETHEUS_URL`,
   * comma-separated). Read only when the broker keeps no management statistics
   * (`disable_stats`), for unacked counts and message rates; every node is read.
   * @default each management URL's host at the plugin's port 15692
   */
  prometheusUrls: string[]
  /**
   * The vhosts this API watches (`WARREN_VHOSTS`, comma-separated, `*` matching any run of
   * characters, e.g. `/,team-*`): discovery, queue and dead-letter lists, overview counts,
   * alerts, head peeks, the dead-letter store's custody and every dead-letter and archive
   * operation stay inside them; a vhost outside them answers 404.
   * @default undefined (every vhost)
   */
  vhosts: string[] | undefined
  /**
   * Queues that are dead-letter queues whatever discovery finds (`WARREN_DEAD_LETTER_QUEUES`,
   * comma-separated names, `*` matching any run of characters), e.g. a queue another framework
   * forwards failed messages to. Browse and the operations act only on dead-letter queues.
   * @default [] (only discovered ones)
   */
  deadLetterQueues: string[]
  /** @default 'guest' (`WARREN_MANAGEMENT_USER`) */
  managementUser: string
  /** Never sent to the browser nor logged. @default 'guest' (`WARREN_MANAGEMENT_PASSWORD`) */
  managementPassword: string
  /**
   * Time after which a management API call counts as failed (`WARREN_MANAGEMENT_TIMEOUT`).
   * @default 5000 ('5s')
   */
  managementTimeoutMs: number
  /**
   * Operator token (`WARREN_ADMIN_TOKEN`). When unset, `startServer` makes a random one and
   * prints a login link.
   * @default undefined
   */
  adminToken: string | undefined
  /** Read-only token (`WARREN_VIEWER_TOKEN`). @default undefined (no viewer access) */
  viewerToken: string | undefined
  /** The name the audit gives the operator token (`WARREN_ADMIN_TOKEN_NAME`). @default 'admin-token' */
  adminTokenName: string
  /** The name the audit gives the viewer token (`WARREN_VIEWER_TOKEN_NAME`). @default 'viewer-token' */
  viewerTokenName: string
  /**
   * Addresses of reverse proxies whose `X-Forwarded-For` is believed (`WARREN_TRUSTED_PROXIES`):
   * the client is then the right-most address that is not one of them.
   * @default [] (the socket's address is the client's)
   */
  trustedProxies: string[]
  /**
   * Host names the API answers to besides IP addresses, `localhost` and the public origin's
   * (`WARREN_ALLOWED_HOSTS`; `*` for any): a page that rebinds its own name to this server gets 421.
   * @default []
   */
  allowedHosts: string[]
  /** @default '127.0.0.1' (`WARREN_HOST`) */
  host: string
  /** @default 8080 (`WARREN_PORT`) */
  port: number
  /**
   * Origin the console is served from when behind a proxy (`WARREN_PUBLIC_ORIGIN`); a
   * state-changing request whose `Origin` is neither this nor the request's own origin gets 403.
   * @default undefined (the request's own origin only)
   */
  publicOrigin: string | undefined
  /** Dead-letter ratio above which an alert starts (`WARREN_ALERT_FAILURE_RATIO`). @default 0.01 */
  alertFailureRatio: number
  /** Ready messages above which a backlog alert starts (`WARREN_ALERT_BACKLOG`). @default 1000 */
  alertBacklog: number
  /** Window of the ratio and growth rules (`WARREN_ALERT_WINDOW`). @default 300000 ('5m') */
  alertWindowMs: number
  /** How often alerts are evaluated (`WARREN_ALERT_INTERVAL`). @default 15000 ('15s') */
  alertIntervalMs: number
  /** Age of the oldest dead letter above which an alert starts (`WARREN_ALERT_DEAD_LETTER_AGE`). @default 3600000 ('1h') */
  alertDeadLetterAgeMs: number
  /** URL that gets a JSON POST when an alert starts or ends (`WARREN_ALERT_WEBHOOK`). @default undefined */
  alertWebhook: string | undefined
  /** Where the audit log lives (`WARREN_DATA_DIR`). @default '<repo root or cwd>/.warren' */
  dataDir: string
  /** `x-max-age` of the `warren.archive` stream (`WARREN_ARCHIVE_MAX_AGE`). @default '7D' */
  archiveMaxAge: string
  /**
   * Built console files served at `/` (`WARREN_UI_DIR`).
   * @default 'packages/admin-ui/dist' in the workspace, the package's `console/` when installed
   */
  uiDir: string
  /** Lifetime of a login session (`WARREN_SESSION_TTL`). @default 43200000 ('12h') */
  sessionTtlMs: number
  /** Failed logins allowed per client IP and minute (`WARREN_LOGIN_RATE_LIMIT`). @default 10 */
  loginRateLimit: number
  /** Largest request body accepted (`WARREN_BODY_LIMIT`, bytes). @default 1048576 (1 MiB) */
  bodyLimitBytes: number
  /** How long a discovered topology is reused (`WARREN_DISCOVERY_CACHE`). @default 3000 ('3s') */
  discoveryCacheMs: number
  /**
   * Where dead letters are kept (`WARREN_DEAD_LETTER_STORE`): `sqlite` (a file in the data
   * directory), `sqlite:<path>`, a PostgreSQL URL, or `off` (every DLQ read live in RabbitMQ).
   * @default { kind: 'sqlite', path: '<dataDir>/dead-letters.sqlite' }
   */
  deadLetterStore: StoreSetting
  /**
   * Dead-letter queues left in RabbitMQ and read live, though a store is configured
   * (`WARREN_LIVE_DEAD_LETTERS`: `<vhost>` or `<vhost>/<queue>`, vhost percent-encoded).
   * @default [] (every dead-letter queue in the store)
   */
  liveDeadLetters: LivePattern[]
}

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..')

/** The console built in the workspace, else the copy an installed package ships in `console/`. */
function defaultUiDir(): string {
  const workspace = resolve(packageDir, '../admin-ui/dist')
  return existsSync(workspace) ? workspace : join(packageDir, 'console')
}

/** The workspace root when running from the repository, else the working directory. */
function defaultRoot(): string {
  const repoRoot = resolve(packageDir, '../..')
  return existsSync(join(repoRoot, 'pnpm-workspace.yaml')) ? repoRoot : process.cwd()
}

const duration = (name: string) =>
  z.string().transform((value, ctx) => {
    try {
      return parseDuration(value)
    } catch {
      ctx.addIssue({ code: 'custom', message: `${name}: not a duration like 200ms, 5s, 5m, 1h` })
      return z.NEVER
    }
  })

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
const amqpUrl = z.url({ protocol: /^amqps?$/, error: 'expected an amqp:// or amqps:// URL' })
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value?.trim() ? value.trim() : undefined))

/** All defaults in one place, as the environment would spell them. */
const DEFAULTS = {
  WARREN_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  WARREN_MANAGEMENT_URL: 'http://127.0.0.1:15672',
  WARREN_MANAGEMENT_USER: 'guest',
  WARREN_MANAGEMENT_PASSWORD: 'guest',
  WARREN_MANAGEMENT_TIMEOUT: '5s',
  WARREN_HOST: '127.0.0.1',
  WARREN_PORT: '8080',
  WARREN_ALERT_FAILURE_RATIO: '0.01',
  WARREN_ALERT_BACKLOG: '1000',
  WARREN_ALERT_WINDOW: '5m',
  WARREN_ALERT_INTERVAL: '15s',
  WARREN_ALERT_DEAD_LETTER_AGE: '1h',
  WARREN_ARCHIVE_MAX_AGE: '7D',
  WARREN_SESSION_TTL: '12h',
  WARREN_ADMIN_TOKEN_NAME: 'admin-token',
  WARREN_VIEWER_TOKEN_NAME: 'viewer-token',
  WARREN_LOGIN_RATE_LIMIT: '10',
  WARREN_BODY_LIMIT: String(1024 * 1024),
  WARREN_DISCOVERY_CACHE: '3s',
  WARREN_DEAD_LETTER_STORE: 'sqlite',
} as const

/** A name the audit shows for a token: short, printable, no separators. */
const tokenName = z.string().regex(/^[\w.@-]{1,64}$/, 'letters, digits, . _ @ - (at most 64)')

/** A comma-separated list: trimmed, empty entries and repeats dropped. */
const commaList = z
  .string()
  .optional()
  .transform((value) => [
    ...new Set(
      (value ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ])

const envSchema = z.object({
  WARREN_AMQP_URL: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(amqpUrl).min(1, 'at least one AMQP URL')),
  WARREN_MANAGEMENT_URL: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
    )
    .pipe(z.array(httpUrl).min(1, 'at least one management URL'))
    .transform((urls) => [...new Set(urls.map((url) => url.replace(/\/+$/, '')))]),
  WARREN_PROMETHEUS_URL: commaList
    .pipe(z.array(httpUrl))
    .transform((urls) => [...new Set(urls.map((url) => url.replace(/\/+$/, '')))]),
  WARREN_VHOSTS: commaList
    .pipe(z.array(resourceName))
    .transform((names) => (names.length > 0 ? names : undefined)),
  WARREN_DEAD_LETTER_QUEUES: commaList,
  WARREN_MANAGEMENT_USER: z.string().min(1),
  WARREN_MANAGEMENT_PASSWORD: z.string(),
  WARREN_MANAGEMENT_TIMEOUT: duration('WARREN_MANAGEMENT_TIMEOUT'),
  WARREN_ADMIN_TOKEN: optionalText.pipe(
    z.string().min(16, 'use at least 16 characters').optional(),
  ),
  WARREN_VIEWER_TOKEN: optionalText.pipe(
    z.string().min(16, 'use at least 16 characters').optional(),
  ),
  WARREN_ADMIN_TOKEN_NAME: tokenName,
  WARREN_VIEWER_TOKEN_NAME: tokenName,
  WARREN_TRUSTED_PROXIES: commaList,
  WARREN_ALLOWED_HOSTS: commaList.transform((hosts) => hosts.map((host) => host.toLowerCase())),
  WARREN_HOST: z.string().min(1),
  WARREN_PORT: z.coerce.number().int().min(0).max(65535),
  WARREN_PUBLIC_ORIGIN: optionalText.pipe(httpUrl.optional()),
  WARREN_ALERT_FAILURE_RATIO: z.coerce.number().min(0).max(1),
  WARREN_ALERT_BACKLOG: z.coerce.number().int().min(0),
  WARREN_ALERT_WINDOW: duration('WARREN_ALERT_WINDOW'),
  WARREN_ALERT_INTERVAL: duration('WARREN_ALERT_INTERVAL'),
  WARREN_ALERT_DEAD_LETTER_AGE: duration('WARREN_ALERT_DEAD_LETTER_AGE'),
  WARREN_ALERT_WEBHOOK: optionalText.pipe(httpUrl.optional()),
  WARREN_DATA_DIR: optionalText,
  WARREN_ARCHIVE_MAX_AGE: z
    .string()
    .regex(/^\d+(Y|M|D|h|m|s)$/, 'a RabbitMQ x-max-age like 7D, 12h or 30m'),
  WARREN_UI_DIR: optionalText,
  WARREN_SESSION_TTL: duration('WARREN_SESSION_TTL'),
  WARREN_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1),
  WARREN_BODY_LIMIT: z.coerce.number().int().min(1024),
  WARREN_DISCOVERY_CACHE: duration('WARREN_DISCOVERY_CACHE'),
  WARREN_DEAD_LETTER_STORE: z.string().refine(
    parses((value: string) => parseStoreSetting(value, '.')),
    STORE_SETTING_FORMAT,
  ),
  WARREN_LIVE_DEAD_LETTERS: commaList.refine(parses(parseLivePatterns), LIVE_PATTERN_FORMAT),
})

/** Raised by `loadConfig` with one line per invalid variable. */
export { ConfigError }

/**
 * Reads the admin API's configuration from the environment (README, Configuration), applying
 * defaults that work on a developer machine.
 *
 * @example
 * const config = loadConfig({ ...process.env, WARREN_PORT: '8181' })
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, string | undefined> = { ...DEFAULTS }
  for (const [key, value] of Object.entries(env)) {
    if (key.startsWith('WARREN_') && value !== undefined && value !== '') input[key] = value
  }
  const parsed = envSchema.safeParse(input)
  if (!parsed.success) {
    // Name the variable, never echo its value: it may be a password or a token.
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  const e = parsed.data
  const dataDir = resolve(e.WARREN_DATA_DIR ?? join(defaultRoot(), '.warren'))
  return {
    amqpUrls: e.WARREN_AMQP_URL,
    managementUrls: e.WARREN_MANAGEMENT_URL,
    prometheusUrls:
      e.WARREN_PROMETHEUS_URL.length > 0
        ? e.WARREN_PROMETHEUS_URL
        : defaultPrometheusUrls(e.WARREN_MANAGEMENT_URL),
    vhosts: e.WARREN_VHOSTS,
    deadLetterQueues: e.WARREN_DEAD_LETTER_QUEUES,
    managementUser: e.WARREN_MANAGEMENT_USER,
    managementPassword: e.WARREN_MANAGEMENT_PASSWORD,
    managementTimeoutMs: e.WARREN_MANAGEMENT_TIMEOUT,
    adminToken: e.WARREN_ADMIN_TOKEN,
    viewerToken: e.WARREN_VIEWER_TOKEN,
    adminTokenName: e.WARREN_ADMIN_TOKEN_NAME,
    viewerTokenName: e.WARREN_VIEWER_TOKEN_NAME,
    trustedProxies: e.WARREN_TRUSTED_PROXIES,
    allowedHosts: e.WARREN_ALLOWED_HOSTS,
    host: e.WARREN_HOST,
    port: e.WARREN_PORT,
    publicOrigin: e.WARREN_PUBLIC_ORIGIN ? new URL(e.WARREN_PUBLIC_ORIGIN).origin : undefined,
    alertFailureRatio: e.WARREN_ALERT_FAILURE_RATIO,
    alertBacklog: e.WARREN_ALERT_BACKLOG,
    alertWindowMs: e.WARREN_ALERT_WINDOW,
    alertIntervalMs: e.WARREN_ALERT_INTERVAL,
    alertDeadLetterAgeMs: e.WARREN_ALERT_DEAD_LETTER_AGE,
    alertWebhook: e.WARREN_ALERT_WEBHOOK,
    dataDir,
    archiveMaxAge: e.WARREN_ARCHIVE_MAX_AGE,
    uiDir: resolve(e.WARREN_UI_DIR ?? defaultUiDir()),
    sessionTtlMs: e.WARREN_SESSION_TTL,
    loginRateLimit: e.WARREN_LOGIN_RATE_LIMIT,
    bodyLimitBytes: e.WARREN_BODY_LIMIT,
    discoveryCacheMs: e.WARREN_DISCOVERY_CACHE,
    deadLetterStore: parseStoreSetting(e.WARREN_DEAD_LETTER_STORE, dataDir),
    liveDeadLetters: parseLivePatterns(e.WARREN_LIVE_DEAD_LETTERS),
  }
}
