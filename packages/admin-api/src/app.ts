import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { secureHeaders } from 'hono/secure-headers'
import { createAlertMonitor, type AlertMonitor } from './alerts/index.js'
import { createFileAuditLog, type AuditLog } from './audit/file.js'
import { authenticate } from './auth/middleware.js'
import { personScope } from './auth/person-scope.js'
import { createRateLimiter } from './auth/rate-limit.js'
import { createUserCheck } from './auth/rabbit-users.js'
import { createSessionStore } from './auth/sessions.js'
import { createTokenVerifier, generateToken } from './auth/tokens.js'
import type { Config } from './config.js'
import type { AppEnv } from './context.js'
import { createDeadLetterModule } from './dead-letters/module.js'
import { createDiscovery, queueFacts } from './discovery/index.js'
import { AmqpPool } from './rabbit/amqp.js'
import { createManagementClient } from './rabbit/management.js'
import { createPrometheusClient } from './rabbit/prometheus.js'
import { probeAmqpUrls } from './routes/amqp-probe.js'
import { alertRoutes } from './routes/alerts.js'
import { auditRoutes } from './routes/audit.js'
import { mountConsole } from './routes/console.js'
import { deadLetterListRoutes } from './routes/dead-letter-list.js'
import { healthRoutes } from './routes/health.js'
import { errorHandler, notFound, problem } from './routes/problem.js'
import { overviewRoutes } from './routes/overview.js'
import { queueRoutes } from './routes/queues.js'
import type { Services } from './routes/services.js'
import { sessionRoutes } from './routes/session.js'
import { csrf } from './security/csrf.js'
import { hostAllowlist } from './security/hosts.js'
import { createLogger, type LogSink, type Logger } from './security/logger.js'
import { createRedactor, urlPasswords } from './security/redact.js'
import { withBrokerStats, type StatsAwareManagement } from './stats/index.js'
import { isLive, storeCustody } from './store/custody.js'
import { createIntake } from './store/intake.js'
import { openStore } from './store/open.js'

/** Replaceable parts, for tests and embedding. */
export interface AppOverrides {
  /** The fetch the management client and the alert webhook use. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Where log lines go. @default process.stdout */
  logSink?: LogSink
  /** The clock of the caches and the alert window (epoch ms). @default Date.now */
  now?: () => number
  /**
   * The path a host serves the admin API under (`createWarrenAdmin`'s `basePath`): the console's
   * page points its assets and API calls there. @default '' (the root)
   */
  basePath?: string
  /**
   * Whether a `Host` that is not an IP address, `localhost`, the public origin's host or one of
   * `WARREN_ALLOWED_HOSTS` gets 421 (the DNS-rebinding defence of a server on its own port). An
   * embedding host answers for its own names, so `createWarrenAdmin` leaves it off unless asked.
   * @default true
   */
  checkHost?: boolean
}

/** A created admin API: the Hono app (`app.fetch`, `app.request`) and its lifecycle. */
export interface WarrenApp {
  app: AppType
  log: Logger
  audit: AuditLog
  alerts: AlertMonitor
  /**
   * The management API as the routes read it: on a broker without statistics, its counts come
   * from passive declares and its rates from the Prometheus plugin.
   */
  management: StatsAwareManagement
  /** Stops timers and closes AMQP connections. */
  close(): Promise<void>
}

function buildApp(
  s: Services,
  alerts: AlertMonitor,
  deadLetters: ReturnType<typeof createDeadLetterModule>,
  basePath: string,
  checkHost: boolean,
) {
  const app = new Hono<AppEnv>()
  app.onError(errorHandler(s.log))
  app.notFound(notFound)
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // React sets style attributes; no inline scripts are ever allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
    }),
  )
  if (checkHost) app.use('*', hostAllowlist(s.config.allowedHosts, s.config.publicOrigin))
  app.use('/api/*', csrf(s.config.publicOrigin))
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: s.config.bodyLimitBytes,
      onError: (c) =>
        problem(
          c,
          413,
          'payload-too-large',
          'Payload too large',
          `Request bodies are limited to ${s.config.bodyLimitBytes} bytes`,
        ),
    }),
  )
  app.use(
    '/api/*',
    authenticate({
      tokens: s.tokens,
      sessions: s.sessions,
      limiter: s.loginLimiter,
      trustedProxies: s.config.trustedProxies,
    }),
  )
  app.use('/api/*', personScope())
  const api = app
    .route('/api', healthRoutes(s))
    .route('/api', sessionRoutes(s))
    .route('/api', overviewRoutes(s, alerts))
    .route('/api', queueRoutes(s))
    .route('/api', deadLetterListRoutes(s))
    .route('/api', alertRoutes(alerts))
    .route('/api', auditRoutes(s))
    // Registered after GET /api/dead-letters: the dead-letter operations of the other module.
    .route('/api', deadLetters.routes)
  mountConsole(app, s.config.uiDir, basePath)
  return api
}

/** The admin API's routes, for the console's typed client: `hc<AppType>('/')`. */
export type AppType = ReturnType<typeof buildApp>

/**
 * Creates the admin API (its routes: README, Routes) over the broker that `config` points at.
 * Without an admin token in `config`, a random one is used that nobody knows: `startServer`
 * makes and prints one instead.
 *
 * @example
 * const { app, close } = createApp(loadConfig())
 * const response = await app.request('/api/health')
 */
export function createApp(config: Config, overrides: AppOverrides = {}): WarrenApp {
  const redact = createRedactor([
    config.managementPassword,
    config.adminToken,
    config.viewerToken,
    ...urlPasswords(config.amqpUrls),
    ...urlPasswords(config.managementUrls),
    ...urlPasswords(config.prometheusUrls),
    ...urlPasswords(config.deadLetterStore.kind === 'postgres' ? [config.deadLetterStore.url] : []),
  ])
  const log = createLogger(redact, overrides.logSink)
  const now = overrides.now ?? Date.now
  const fetchOverride = overrides.fetch ? { fetch: overrides.fetch } : {}
  // Passive declares of queue depths, when the broker keeps no statistics: a pool of its own,
  // so they never wait behind a long dead-letter operation.
  const countPool = new AmqpPool({ urls: config.amqpUrls })
  const management = withBrokerStats(
    createManagementClient({
      url: config.managementUrls,
      user: config.managementUser,
      password: config.managementPassword,
      timeoutMs: config.managementTimeoutMs,
      now,
      ...fetchOverride,
    }),
    {
      prometheus: createPrometheusClient({
        urls: config.prometheusUrls,
        timeoutMs: config.managementTimeoutMs,
        ...fetchOverride,
      }),
      pool: countPool,
      vhosts: config.vhosts,
      log,
      now,
    },
  )
  const audit = createFileAuditLog(config.dataDir)
  const store = openStore(config.deadLetterStore, log)
  const setting = config.deadLetterStore
  log.info('dead-letter store', {
    store: setting.kind,
    ...(setting.kind === 'sqlite' ? { path: setting.path } : {}),
    ...(setting.kind === 'postgres' ? { url: setting.url } : {}),
    live: config.liveDeadLetters.length,
  })
  const live = (vhost: string, queue: string) => isLive(config.liveDeadLetters, vhost, queue)
  const deadLetters = createDeadLetterModule({
    amqpUrls: config.amqpUrls,
    audit,
    archiveMaxAge: config.archiveMaxAge,
    vhosts: config.vhosts,
    queueFacts: (vhost, queue) => queueFacts(discovery, vhost, queue),
    log,
    store: store
      ? storeCustody(store, (vhost, queue) => queueFacts(discovery, vhost, queue), live)
      : undefined,
  })
  const discovery = createDiscovery(
    management,
    config.discoveryCacheMs,
    now,
    deadLetters.deadLetteredAt,
    config.vhosts,
    config.deadLetterQueues,
    store ? { summaries: () => store.summaries(), custody: (v, q) => !live(v, q) } : undefined,
  )
  // Custody: the store drains every dead-letter queue it keeps, on connections of its own.
  const intakePool = new AmqpPool({ urls: config.amqpUrls })
  const intake =
    store &&
    createIntake({
      store,
      pool: intakePool,
      log,
      queues: async () =>
        (await discovery.topology(undefined, { counts: 'listed' })).queues
          .filter((q) => q.role === 'dead-letter' && q.type !== 'stream' && !live(q.vhost, q.name))
          .map((q) => ({ vhost: q.vhost, name: q.name })),
    })
  intake?.start()
  const services: Services = {
    config,
    management,
    discovery,
    audit,
    sessions: createSessionStore(config.sessionTtlMs),
    tokens: createTokenVerifier({
      admin: config.adminToken ?? generateToken(),
      viewer: config.viewerToken,
      adminName: config.adminTokenName,
      viewerName: config.viewerTokenName,
    }),
    checkUser: createUserCheck({
      urls: config.managementUrls,
      user: config.managementUser,
      password: config.managementPassword,
      vhosts: config.vhosts,
      timeoutMs: config.managementTimeoutMs,
      ...fetchOverride,
    }),
    loginLimiter: createRateLimiter(config.loginRateLimit, 60_000),
    log,
    probeAmqp: () => probeAmqpUrls(config.amqpUrls),
    now,
  }
  const alerts = createAlertMonitor({
    discovery: services.discovery,
    log,
    thresholds: {
      failureRatio: config.alertFailureRatio,
      backlog: config.alertBacklog,
      deadLetterAgeMs: config.alertDeadLetterAgeMs,
      windowMs: config.alertWindowMs,
    },
    intervalMs: config.alertIntervalMs,
    webhook: config.alertWebhook,
    ...(overrides.fetch ? { fetch: overrides.fetch } : {}),
    now,
  })
  alerts.start()
  const app = buildApp(
    services,
    alerts,
    deadLetters,
    overrides.basePath ?? '',
    overrides.checkHost ?? true,
  )
  return {
    app,
    log,
    audit,
    alerts,
    management,
    async close() {
      management.close()
      await intake?.stop()
      await Promise.all([alerts.stop(), deadLetters.close(), countPool.close(), intakePool.close()])
      await store?.close()
    },
  }
}
