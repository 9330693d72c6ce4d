import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Page } from '@playwright/test'
import { connect, defineTopology, type Broker } from '@warren/sdk'
import { HEADERS } from '@warren/sdk/protocol'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import amqp from 'amqplib'
import { deadLetterPath } from './support/console.js'
import { expect, test } from './support/fixtures.js'
import { e2eVhostName } from './support/server.js'

// Incident scale, on a vhost of this file's own: a DLQ of DEAD_LETTERS published straight into
// RabbitMQ and drained by the admin API's intake into its store (sqlite in the data dir). Then:
// the failure groups, one group requeued at a set rate, paused and resumed with its progress; a
// message edited and retried, its copy consumed from the original queue; a note; an export.
test.describe.configure({ mode: 'serial', timeout: 600_000 })

/** `WARREN_E2E_STORE_DEAD_LETTERS` lowers it on a slow machine. */
const DEAD_LETTERS = Number(process.env.WARREN_E2E_STORE_DEAD_LETTERS ?? 100_000)
/** The smaller group, requeued at RATE messages per second. */
const TIMEOUTS = 400
const RATE = 40
const QUEUE = 'store.orders'
const DLQ = `${QUEUE}.dlq`

const topology = defineTopology({
  queues: { [QUEUE]: { type: 'classic', retry: { delays: ['1s'], maxAttempts: 2 } } },
})

let vhost: TestVhost
let broker: Broker<typeof topology>
/** What the consumer of the original queue received back from the DLQ. */
const consumed: { order: number; editedFrom: unknown; fixed: unknown }[] = []

/** Dead letters as the SDK writes them, published with confirms in batches. */
async function publishDeadLetters(url: string) {
  const connection = await amqp.connect(url)
  try {
    const channel = await connection.createConfirmChannel()
    const at = new Date().toISOString()
    for (let n = 0; n < DEAD_LETTERS; n++) {
      const timeout = n < TIMEOUTS
      const headers = {
        [HEADERS.originalQueue]: QUEUE,
        [HEADERS.deadLetterReason]: 'max-attempts',
        [HEADERS.attempt]: 2,
        [HEADERS.errorName]: timeout ? 'TimeoutError' : 'PaymentError',
        [HEADERS.errorMessage]: timeout ? 'gateway timed out' : 'card declined',
        [HEADERS.lastFailedAt]: at,
      }
      const body = Buffer.from(JSON.stringify({ order: n, amount: 100 }))
      const ok = channel.publish('', DLQ, body, {
        persistent: true,
        contentType: 'application/json',
        messageId: `order-${n}`,
        headers,
      })
      if (!ok || n % 5000 === 4999) await channel.waitForConfirms()
    }
    await channel.waitForConfirms()
  } finally {
    await connection.close()
  }
}

test.beforeAll(async () => {
  test.setTimeout(600_000)
  vhost = await createTestVhost(e2eVhostName('store'))
  broker = await connect({ url: vhost.url, topology, service: 'e2e-store-orders' })
  await broker.consume(QUEUE, async (message) => {
    const body = message.body as { order: number; fixed?: boolean }
    consumed.push({
      order: body.order,
      editedFrom: message.headers[HEADERS.editedFrom],
      fixed: body.fixed,
    })
  })
  await publishDeadLetters(vhost.url)
})

test.afterAll(async () => {
  try {
    await broker?.close()
  } finally {
    await vhost?.remove()
  }
})

async function openQueue(page: Page) {
  await page.goto(deadLetterPath(vhost.name, DLQ))
  await expect(page.getByRole('heading', { name: DLQ })).toBeVisible()
}

const count = (n: number) => n.toLocaleString('en')

test('the intake drains the DLQ into the store, and the console pages and groups it there', async ({
  page,
}) => {
  await openQueue(page)
  const counts = page.getByTestId('store-counts')
  await expect(counts).toContainText(`${count(DEAD_LETTERS)} dead letters in Warren's store`, {
    timeout: 480_000,
  })
  await expect(counts).toContainText('0 still in RabbitMQ')
  await expect(page.getByTestId('page-range')).toHaveText(`1–100 of ${count(DEAD_LETTERS)}`)
  await page.getByRole('button', { name: 'Last' }).click()
  await expect(page.getByTestId('page-range')).toContainText(`of ${count(DEAD_LETTERS)}`)
  // The table renders only the rows in view: the last page starts 100 before the end.
  await expect(page.getByTestId('message-row').first()).toContainText(`order-${DEAD_LETTERS - 100}`)

  const groups = page.getByTestId('group-row')
  await expect(groups).toHaveCount(2)
  await expect(groups.first()).toContainText('PaymentError: card declined')
  await expect(groups.first().getByTestId('group-count')).toHaveText(count(DEAD_LETTERS - TIMEOUTS))
  await expect(groups.nth(1).getByTestId('group-count')).toHaveText(count(TIMEOUTS))
  await groups.nth(1).getByRole('button', { name: 'TimeoutError: gateway timed out' }).click()
  await expect(page.getByTestId('page-range')).toHaveText(`1–100 of ${count(TIMEOUTS)}`)
  await page.screenshot({ path: 'test-results/store-groups.png' })
  // The README shows this screen.
  await page.screenshot({
    path: resolve(import.meta.dirname, '../../docs/console-dead-letters.png'),
  })
})

test('a group is requeued at a set rate, paused and resumed, with its progress', async ({
  page,
}) => {
  await openQueue(page)
  const timeouts = page.locator('[data-testid=group-row]', { hasText: 'TimeoutError' })
  await timeouts.getByRole('button', { name: 'Requeue…' }).click()
  const dialog = page.getByTestId('bulk-dialog')
  await expect(dialog.getByTestId('dry-run-count')).toHaveText(
    `${TIMEOUTS} messages held now would be requeued.`,
  )
  await expect(dialog.getByRole('table', { name: 'Where they go' })).toContainText(QUEUE)
  await expect(dialog.getByTestId('bulk-reasons')).toContainText('TimeoutError: gateway timed out')
  await dialog.getByLabel('Rate in messages per second (optional)').fill(String(RATE))
  await dialog.getByRole('button', { name: `Requeue ${TIMEOUTS} messages` }).click()
  await expect(dialog).toBeHidden()

  const progress = page.getByTestId('bulk-progress')
  await expect(progress.getByTestId('bulk-rate')).toContainText(`${RATE}/s asked`)
  await expect(progress.getByTestId('bulk-done')).toHaveText(/^([4-9]\d|[1-3]\d\d) of 400$/)
  await page.screenshot({ path: 'test-results/store-requeue-running.png' })
  await progress.getByRole('button', { name: 'Pause' }).click()
  await expect(progress).toHaveAttribute('data-status', 'paused')
  // It survives a reload: the queue's operations come from the server.
  await page.reload()
  await expect(progress).toHaveAttribute('data-status', 'paused')
  const held = await progress.getByTestId('bulk-done').innerText()
  await page.waitForTimeout(2000)
  await expect(progress.getByTestId('bulk-done')).toHaveText(held)
  const doneWhilePaused = consumed.length
  expect(doneWhilePaused).toBeLessThan(TIMEOUTS)

  await progress.getByRole('button', { name: 'Resume' }).click()
  await expect(page.getByTestId('finished-operation').first()).toHaveAttribute(
    'data-status',
    'succeeded',
    { timeout: 60_000 },
  )
  await expect.poll(() => consumed.length, { timeout: 30_000 }).toBe(TIMEOUTS)
  await expect(page.getByTestId('group-row')).toHaveCount(1)
})

test('a message is edited and retried, and its copy is consumed from the original queue', async ({
  page,
}) => {
  await openQueue(page)
  const row = page.getByTestId('message-row').first()
  const id = await row.getAttribute('data-message-id')
  const order = Number(/order-(\d+)/.exec(await row.innerText())?.[1])
  await row.click()
  const drawer = page.getByTestId('message-drawer')
  const payload = drawer.getByLabel('Payload')
  await payload.fill('{"order": 1, "amount"')
  await drawer.getByRole('button', { name: 'Send edited copy' }).click()
  await expect(drawer.getByTestId('retry-error')).toContainText('The payload is not valid JSON')

  await payload.fill(JSON.stringify({ order, amount: 100, fixed: true }))
  await drawer.getByRole('button', { name: 'Send edited copy' }).click()
  await expect(page.getByTestId('retry-result')).toContainText(`sent to ${QUEUE}`)
  await expect
    .poll(() => consumed.find((c) => c.editedFrom === id), { timeout: 15_000 })
    .toEqual({ order, editedFrom: id, fixed: true })
  await expect(page.locator(`[data-testid=message-row][data-message-id="${id}"]`)).toHaveCount(0)
})

test('a note on a group is listed with its author', async ({ page }) => {
  await openQueue(page)
  const declined = page.locator('[data-testid=group-row]', { hasText: 'PaymentError' })
  await declined.getByRole('button', { name: /^Notes/ }).click()
  await page.getByLabel('Add a note on this group').fill('PSP outage since 09:40, waiting on them')
  await page.getByRole('button', { name: 'Add note' }).click()
  const note = page.getByTestId('note')
  await expect(note).toContainText('PSP outage since 09:40, waiting on them')
  await expect(declined.getByRole('button', { name: 'Notes (1)' })).toBeVisible()
})

test('an export of two selected messages downloads as NDJSON and reads back', async ({ page }) => {
  await openQueue(page)
  const rows = page.getByTestId('message-row')
  const ids = [
    await rows.nth(0).getAttribute('data-message-id'),
    await rows.nth(1).getAttribute('data-message-id'),
  ]
  await rows.nth(0).getByRole('checkbox').check()
  await rows.nth(1).getByRole('checkbox').check()
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export').click(),
  ])
  const path = await download.path()
  const lines = (await readFile(path, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  expect(lines.map((line) => line.id)).toEqual(ids)
  const body = JSON.parse(Buffer.from(lines[0].body, 'base64').toString()) as { amount: number }
  expect(body.amount).toBe(100)
  expect(lines[0].headers[HEADERS.errorName]).toBe('PaymentError')
  expect(lines[0].view.error.message).toBe('card declined')
})
