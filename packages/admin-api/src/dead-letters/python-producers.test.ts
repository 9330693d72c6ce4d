// Dead letters that Python producers wrote, read through the admin API as an operator sees them:
// pika 1.2 and a Celery 5.2 task, Debian's packages (`apt-get install python3-pika
// python3-celery`, which .ci/run does when they are missing), on RabbitMQ 3.10 and 4.3.
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WarrenApp } from '../app.js'
import { BROKER } from '@warren/test-kit'
import { brokerTestApp } from '../test-support/brokers.js'
import { eventually, json, operator } from '../test-support/core.js'
import type { BrowseResult, MessageView, RequeueResult } from './schemas.js'

/** Debian's interpreter, where its python3-* packages are installed. */
const PYTHON = process.env['WARREN_PYTHON'] ?? '/usr/bin/python3'
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const run = promisify(execFile)

async function python(script: string, args: string[]): Promise<void> {
  try {
    await run(PYTHON, [fixture(script), ...args], { timeout: 90_000 })
  } catch (error) {
    const { stderr } = error as { stderr?: string }
    throw new Error(`${script} ${args.join(' ')} failed: ${stderr ?? String(error)}`, {
      cause: error,
    })
  }
}

let checked: Promise<void> | undefined

/** Fails the test, never skips it, when Debian's modules are missing. */
function requirePython(): Promise<void> {
  checked ??= run(PYTHON, ['-c', 'import pika, celery']).then(
    () => undefined,
    (cause: unknown) => {
      throw new Error(
        `${PYTHON} cannot import pika and celery: apt-get install -y python3-pika ` +
          'python3-celery (or set WARREN_PYTHON to an interpreter that has them)',
        { cause },
      )
    },
  )
  return checked
}

describe(`dead letters of Python producers on ${BROKER.label}`, () => {
  const broker = BROKER
  let vhost: Awaited<ReturnType<typeof brokerTestApp>>
  let warren: WarrenApp

  beforeAll(async () => {
    vhost = await brokerTestApp(broker, 'warren-python-producers')
    warren = vhost.start()
  })

  afterAll(async () => {
    await vhost?.remove()
  })

  const path = (queue: string) => `/api/dead-letters/${vhost.encoded}/${encodeURIComponent(queue)}`
  const page = async (queue: string): Promise<MessageView[]> => {
    const response = await warren.app.request(`${path(queue)}/messages`, { headers: operator })
    expect(response.status).toBe(200)
    return ((await response.json()) as BrowseResult).items
  }
  const requeue = async (queue: string, ids: string[]) => {
    const response = await warren.app.request(`${path(queue)}/requeue`, {
      method: 'POST',
      headers: { ...operator, ...json },
      body: JSON.stringify({ ids }),
    })
    return (await response.json()) as RequeueResult
  }
  const reached = (queue: string, count: number) =>
    eventually(async () => {
      const depth = await vhost.channel(async (ch) => (await ch.checkQueue(queue)).messageCount)
      return depth >= count ? true : undefined
    })
  const secondOf = (ms: number) => Math.floor(ms / 1000) * 1000

  it('counts both lives of a message pika rejected, was requeued and rejected again', async () => {
    await requirePython()
    await vhost.channel(async (ch) => {
      await ch.assertQueue('refunds.dlq', { durable: true })
      await ch.assertQueue('refunds', {
        durable: true,
        arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'refunds.dlq' },
      })
    })
    const since = Date.now()
    await python('pika_client.py', [vhost.url, 'publish', 'refunds', 'p-1'])
    await python('pika_client.py', [vhost.url, 'reject', 'refunds'])
    await reached('refunds.dlq', 1)
    const [first] = await page('refunds.dlq')
    // x-death keeps whole seconds: the second death must fall in a later one to be told apart.
    await new Promise((resolve) => setTimeout(resolve, 1100))

    const requeuedAt = Date.now()
    const result = await requeue('refunds.dlq', ['p-1'])
    await python('pika_client.py', [vhost.url, 'reject', 'refunds'])
    await reached('refunds.dlq', 1)
    const [second] = await page('refunds.dlq')

    expect(first).toMatchObject({
      messageId: 'p-1',
      reason: 'rejected',
      originalQueue: 'refunds',
      attempts: 1,
      headers: { source: 'pika', tenant: 42 },
      payload: { refund: 7 },
    })
    expect(Date.parse(first?.deadLetteredAt ?? '')).toBeGreaterThanOrEqual(secondOf(since))
    expect(result).toMatchObject({ requeued: 1, failed: [] })
    expect(second).toMatchObject({ messageId: 'p-1', reason: 'rejected', attempts: 2 })
    expect(Date.parse(second?.deadLetteredAt ?? '')).toBeGreaterThanOrEqual(secondOf(requeuedAt))
    expect(Date.parse(second?.deadLetteredAt ?? '')).toBeLessThanOrEqual(Date.now())
  })

  it('shows a Celery task that retried twice and was rejected, and requeues it with fresh retries', async () => {
    await requirePython()
    await vhost.channel((ch) => ch.assertQueue('tasks.dlq', { durable: true }))
    const since = Date.now()
    await python('celery_fail.py', [vhost.url, 'tasks', 'tasks.dlq', '2'])
    await reached('tasks.dlq', 1)
    const [view] = await page('tasks.dlq')

    const result = await requeue('tasks.dlq', [view?.id ?? ''])
    const back = await vhost.channel((ch) => ch.get('tasks', { noAck: true }))

    expect(view).toMatchObject({
      reason: 'rejected',
      originalQueue: 'tasks',
      attempts: 3,
      error: null,
      headers: { task: 'shop.charge', id: 'celery-task-1', retries: 2 },
    })
    expect(Date.parse(view?.deadLetteredAt ?? '')).toBeGreaterThanOrEqual(secondOf(since))
    expect(result).toMatchObject({ requeued: 1, failed: [] })
    expect(back === false ? null : back.properties.headers).toMatchObject({
      task: 'shop.charge',
      retries: 0,
      'warren-attempt': 0,
      'warren-previous-attempts': 3,
    })
  })
})
