import { Hono } from 'hono'
import type { AuditRecorder } from '../audit/types.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'

/** What the admin app passes to the dead-letter module. */
export interface DeadLetterModuleOptions {
  /** AMQP URLs of the cluster's nodes (credentials included); the first reachable one is used. */
  amqpUrls: string[]
  /** Where requeue, delete, purge and restore are recorded. */
  audit: AuditRecorder
  /** `x-max-age` of the `warren.archive` stream, e.g. `7D`. */
  archiveMaxAge: string
}

export interface DeadLetterModule {
  /** Dead-letter, archive and operation routes; mount with `.route('/api', routes)`. */
  routes: ReturnType<typeof buildRoutes>
  /** Closes the AMQP connections the module opened. */
  close(): Promise<void>
}

const notYet = (): never => {
  throw new ApiError(501, 'not-implemented', 'Not implemented yet')
}

function buildRoutes() {
  return new Hono<AppEnv>()
    .get('/dead-letters/:vhost/:queue/messages', () => notYet())
    .post('/dead-letters/:vhost/:queue/requeue', () => notYet())
    .post('/dead-letters/:vhost/:queue/delete', () => notYet())
    .post('/dead-letters/:vhost/:queue/purge', () => notYet())
    .get('/archive', () => notYet())
    .post('/archive/restore', () => notYet())
    .get('/operations/:id', () => notYet())
}

/**
 * Browse, requeue, delete and purge dead letters; list and restore the archive; report progress.
 *
 * @example
 * const deadLetters = createDeadLetterModule({ amqpUrls, audit, archiveMaxAge: '7D' })
 * const app = new Hono<AppEnv>().route('/api', deadLetters.routes)
 */
export function createDeadLetterModule(_options: DeadLetterModuleOptions): DeadLetterModule {
  return { routes: buildRoutes(), close: async () => {} }
}
