// The dead-letter module mounted the way the app mounts it, with an operator already signed in and
// errors turned into problem+json.
import { BROKER, type TestBroker } from '@warren/test-kit'
import { Hono } from 'hono'
import type { AuditEntry, AuditRecorder } from '../audit/types.js'
import type { AppEnv } from '../context.js'
import { ApiError } from '../errors.js'
// Through the package's entry, as an embedder would.
import { createDeadLetterModule, managementQueueFacts } from '../index.js'
import { storeCustody } from '../store/custody.js'
import type { DeadLetterStore } from '../store/types.js'

export type RecordedAudit = Omit<AuditEntry, 'id' | 'at'>

/**
 * The module on `broker` (the broker under test unless named), scoped to `vhost`, the test file's
 * own: nothing else is ever touched.
 */
export function createTestApp(vhost: string, broker: TestBroker = BROKER, store?: DeadLetterStore) {
  const audit: RecordedAudit[] = []
  const recorder: AuditRecorder = {
    record: async (entry) => {
      audit.push(entry)
    },
  }
  const queueFacts = managementQueueFacts({
    url: broker.management,
    user: broker.user,
    password: broker.password,
  })
  const module = createDeadLetterModule({
    amqpUrls: [broker.amqp],
    audit: recorder,
    archiveMaxAge: '1D',
    vhosts: [vhost],
    queueFacts,
    // With a store, every dead-letter queue of the vhost is in its care.
    store: store && storeCustody(store, queueFacts, () => false),
  })
  const app = new Hono<AppEnv>()
    .use(async (c, next) => {
      c.set('actor', { name: 'test', role: 'operator' })
      await next()
    })
    .route('/api', module.routes)
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json(
        {
          type: `urn:warren:problem:${error.code}`,
          title: error.title,
          status: error.status,
          detail: error.detail,
        },
        error.status,
      )
    }
    return c.json({ title: 'Internal error', status: 500, detail: String(error) }, 500)
  })
  const send = async <T>(method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await app.request(path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    })
    return { status: response.status, body: (await response.json()) as T }
  }
  return {
    audit,
    get: <T = Record<string, unknown>>(path: string) => send<T>('GET', path),
    post: <T = Record<string, unknown>>(path: string, body: unknown) => send<T>('POST', path, body),
    close: () => module.close(),
  }
}

/** The API path of a queue's dead-letter routes. */
export function dlqPath(vhost: string, queue: string): string {
  return `/api/dead-letters/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`
}
