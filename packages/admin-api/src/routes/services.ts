import type { AuditLog } from '../audit/file.js'
import type { RateLimiter } from '../auth/rate-limit.js'
import type { UserCheck } from '../auth/rabbit-users.js'
import type { SessionStore } from '../auth/sessions.js'
import type { TokenVerifier } from '../auth/tokens.js'
import type { Config } from '../config.js'
import type { Discovery } from '../discovery/index.js'
import type { Logger } from '../security/logger.js'
import type { StatsAwareManagement } from '../stats/index.js'

/** What the routes work with; `createApp` wires the real ones. */
export interface Services {
  config: Config
  management: StatsAwareManagement
  discovery: Discovery
  audit: AuditLog
  sessions: SessionStore
  tokens: TokenVerifier
  /** Checks a RabbitMQ user's name and password against the management API. */
  checkUser: UserCheck
  loginLimiter: RateLimiter
  log: Logger
  /** True when some AMQP node answers the protocol header. */
  probeAmqp(): Promise<boolean>
  /** The clock of the caches (epoch ms). */
  now(): number
}
