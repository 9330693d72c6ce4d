// The stored dead letters' routes mounted the way the app mounts them, over a store and the test
// broker, with an operator signed in and errors turned into problem+json.
import { BROKER } from '@warren/test-kit'
import { Hono } from 'hono'
import type { AuditRecorder } from '../audit/types.js'
import type { AppEnv, Role } from '../context.js'
import { ApiError } from '../errors.js'
import { createBulkRunner, type BulkRunnerOptions } from '../operations/bulk.js'
import { amqpCopyPublisher } from '../operations/copy-publisher.js'
import { AmqpPool } from '../rabbit/amqp.js'
import { storeRoutes } from '../routes/dead-letter-store.js'
import type { DeadLetterStore } from '../store/types.js'
import type { RecordedAudit } from './dead-letter-app.js'

export function createStoreApp(
  vhost: string,
  store: DeadLetterStore,
  options: Partial<Pick<BulkRunnerOptions, 'batchSize' | 'closeTimeoutMs'>> = {},
  role: Role = 'operator',
) {
  const pool = new AmqpPool({ urls: [BROKER.amqp] })
  const publisher = amqpCopyPublisher(pool)
  const audit: RecordedAudit[] = []
  const recorder: AuditRecorder = { record: async (entry) => void audit.push(entry) }
  const runner = createBulkRunner({ store, publisher, audit: recorder, ...options })
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('actor', { name: 'test', role })
      await next()
    })
    .route('/api', storeRoutes({ store, runner, publisher, audit: recorder, vhosts: [vhost] }))
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      const problem = { type: `urn:warren:problem:${error.code}`, status: error.status }
      return c.json({ ...problem, title: error.title, detail: error.detail }, error.status)
    }
    return c.json({ title: 'Internal error', status: 500, detail: String(error) }, 500)
  })
  const send = async <T>(method: string, path: string, body?: unknown) => {
    const response = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    const text = await response.text()
    const json = /^application\/(problem\+)?json/.test(response.headers.get('content-type') ?? '')
    return {
      status: response.status,
      headers: Object.fromEntries(response.headers) as Record<string, string>,
      text,
      body: (json ? JSON.parse(text) : undefined) as T,
    }
  }
  return {
    audit,
    runner,
    pool,
    get: <T = Record<string, unknown>>(path: string) => send<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown) => send<T>('POST', path, body),
    patch: <T = Record<string, unknown>>(path: string, body: unknown) =>
      send<T>('PATCH', path, body),
    async close() {
      try {
        await runner.close()
      } finally {
        await pool.close()
      }
    },
  }
}
