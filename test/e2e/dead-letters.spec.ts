import type { Page } from '@playwright/test'
import { connect, defineTopology, NonRetryableError, type Broker } from '@warren/sdk'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { deadLetterPath, navLink } from './support/console.js'
import { expect, test } from './support/fixtures.js'
import { e2eVhostName } from './support/server.js'

// One story in order, on dead letters made through the SDK in a vhost of this file's own:
// they appear, they open, two are requeued and consumed, one is deleted and restored, purge
// waits for the queue name, and a viewer sees none of the destructive actions.
test.describe.configure({ mode: 'serial' })

const QUEUE = 'e2e.orders'
const DLQ = 'e2e.orders.dlq'
const ORDERS = 6

const topology = defineTopology({
  exchanges: { 'e2e.shop': { type: 'topic' } },
  queues: {
    [QUEUE]: {
      type: 'classic',
      bindings: [{ exchange: 'e2e.shop', routingKey: 'order.placed' }],
      retry: { delays: ['200ms'], maxAttempts: 2 },
    },
  },
})

let vhost: TestVhost
let broker: Broker<typeof topology>
/** Order numbers the consumer processed successfully (after an operator requeued them). */
const consumed: number[] = []

test.beforeAll(async () => {
  vhost = await createTestVhost(e2eVhostName('console'))
  broker = await connect({ url: vhost.url, topology, service: 'e2e-orders' })
  await broker.consume(QUEUE, async (message) => {
    const order = message.body as { n: number }
    if (Number(message.headers['warren-requeue-count'] ?? 0) > 0) {
      consumed.push(order.n)
      return
    }
    throw new NonRetryableError(`Card declined for order ${order.n}`)
  })
  for (let n = 1; n <= ORDERS; n++) {
    await broker.publish('e2e.shop', 'order.placed', { n, amount: 100 * n })
  }
  await expect.poll(() => vhost.count(DLQ), { timeout: 30_000 }).toBe(ORDERS)
})

test.afterAll(async () => {
  try {
    await broker?.close()
  } finally {
    await vhost?.remove()
  }
})

const rows = (page: Page) => page.getByTestId('message-row')

async function openDeadLetterQueue(page: Page) {
  await page.goto(deadLetterPath(vhost.name, DLQ))
  await expect(page.getByRole('heading', { name: DLQ })).toBeVisible()
}

test('dead letters produced through the SDK appear with their count and feeding queue', async ({
  page,
}) => {
  await page.goto('/')
  await navLink(page, 'Dead letters').click()
  // Its own vhost: another run (or a leftover of one) may hold a queue of the same name.
  const row = page.locator(`[data-testid=dlq-row][data-vhost="${vhost.name}"][data-queue="${DLQ}"]`)
  await expect(row.getByTestId('dlq-messages')).toHaveText(String(ORDERS), { timeout: 30_000 })
  await expect(row).toContainText(QUEUE)

  await row.getByRole('link', { name: DLQ }).click()
  await expect(rows(page)).toHaveCount(ORDERS)
  await expect(page.getByTestId('dlq-count')).toContainText(String(ORDERS))
  await expect(rows(page).first()).toContainText('non-retryable')
  await page.screenshot({ path: 'test-results/dead-letters.png' })
})

test('the queues screen draws the exchange and key, the work queue, its retry tier and its dead-letter queue', async ({
  page,
}) => {
  await page.goto('/')
  await navLink(page, 'Queues').click()
  await page.getByLabel('Search queues').fill(vhost.name)

  await expect(
    page.locator(`[data-testid=queue-row][data-queue="${QUEUE}"]`).getByTestId('role-badge'),
  ).toHaveText('work')
  await expect(
    page.locator(`[data-testid=queue-row][data-queue="${DLQ}"]`).getByTestId('role-badge'),
  ).toHaveText('dead letter')
  await expect(
    page
      .locator(`[data-testid=queue-row][data-queue="${QUEUE}.retry.200ms"]`)
      .getByTestId('role-badge'),
  ).toHaveText('retry')
  const drawing = page.getByRole('group', {
    name: `Topology of ${QUEUE}: exchange e2e.shop (order.placed) → queue ${QUEUE} (0) → retry tiers ${QUEUE}.retry.200ms (0) → dead-letter queue ${DLQ} (${ORDERS})`,
  })
  await expect(drawing).toBeVisible()
  await expect(drawing.getByTitle('Exchange e2e.shop, routing key order.placed')).toHaveText(
    'e2e.shoporder.placed',
  )
  await expect(drawing.getByTitle(`${QUEUE}.retry.200ms`)).toHaveText('retry 200ms0')
})

test('opening a dead letter shows its error message, stack, payload and headers', async ({
  page,
}) => {
  await openDeadLetterQueue(page)
  await rows(page).first().click()

  const drawer = page.getByTestId('message-drawer')
  await expect(drawer.getByTestId('drawer-reason')).toHaveText('non-retryable')
  await expect(drawer.getByTestId('drawer-error')).toHaveText(
    /^NonRetryableError: Card declined for order \d$/,
  )
  await expect(drawer.getByTestId('drawer-stack')).toContainText('NonRetryableError: Card declined')
  await expect(drawer.getByTestId('drawer-stack')).toContainText('at ')
  await expect(drawer.getByTestId('drawer-payload')).toContainText('"amount":')
  await expect(drawer.getByTestId('drawer-headers')).toContainText('warren-original-queue')
  await page.screenshot({ path: 'test-results/dead-letter-drawer.png' })

  await page.keyboard.press('Escape')
  await expect(drawer).toBeHidden()
})

test('filters narrow the dead letters and grouping gathers them by error', async ({ page }) => {
  await openDeadLetterQueue(page)
  await expect(rows(page)).toHaveCount(ORDERS)

  await page.getByLabel('Filter by error text').fill('order 3')
  await expect(rows(page)).toHaveCount(1)
  await expect(rows(page).first()).toContainText('Card declined for order 3')
  await page.getByLabel('Filter by error text').fill('')
  await page.getByLabel('Filter by routing key').fill('order.shipped')
  await expect(rows(page)).toHaveCount(0)
  await page.getByLabel('Filter by routing key').fill('')
  await page.getByLabel('Filter by original queue').selectOption(QUEUE)
  await expect(rows(page)).toHaveCount(ORDERS)

  await page.getByLabel('Group by error').check()
  const group = page.getByTestId('message-group')
  await expect(group).toHaveCount(1)
  await expect(group).toContainText('NonRetryableError: Card declined for order #')
  await expect(group).toContainText(`${ORDERS} messages`)
  await expect(rows(page)).toHaveCount(0)
  await group.getByRole('button', { name: /Card declined/ }).click()
  await expect(rows(page)).toHaveCount(ORDERS)
  await page.screenshot({ path: 'test-results/dead-letters-grouped.png' })
})

test('requeuing two selected dead letters sends them back and the consumer processes them', async ({
  page,
}) => {
  await openDeadLetterQueue(page)
  await expect(rows(page)).toHaveCount(ORDERS)
  const chosen = rows(page).nth(0)
  const other = rows(page).nth(1)
  const numbers = await Promise.all(
    [chosen, other].map(async (row) => Number(/order (\d)/.exec(await row.innerText())?.[1])),
  )
  await chosen.getByRole('checkbox').check()
  await other.getByRole('checkbox').check()
  await expect(page.getByTestId('selection-count')).toContainText('2 selected')

  await page.getByRole('button', { name: 'Requeue selected' }).click()
  const dialog = page.getByTestId('operation-dialog')
  await expect(dialog.getByRole('heading', { name: 'Requeue 2 messages' })).toBeVisible()
  await dialog.getByRole('button', { name: 'Requeue' }).click()
  await expect(dialog.getByTestId('operation-result')).toHaveText('Requeued 2 messages.')
  await page.screenshot({ path: 'test-results/requeue-done.png' })
  await dialog.getByRole('button', { name: 'Done' }).click()

  await expect.poll(() => [...consumed].sort(), { timeout: 15_000 }).toEqual(numbers.sort())
  expect(await vhost.count(DLQ)).toBe(ORDERS - 2)
  await expect(rows(page)).toHaveCount(ORDERS - 2)
})

test('deleting a dead letter archives it, and restoring puts it back', async ({ page }) => {
  await openDeadLetterQueue(page)
  await expect(rows(page)).toHaveCount(ORDERS - 2)
  const victim = rows(page).first()
  const messageId = await victim.getAttribute('data-message-id')
  await victim.getByRole('checkbox').check()
  await page.getByRole('button', { name: 'Delete selected' }).click()
  const dialog = page.getByTestId('operation-dialog')
  await dialog.getByRole('button', { name: 'Delete' }).click()
  await expect(dialog.getByTestId('operation-result')).toContainText('Deleted 1 message')
  await dialog.getByRole('button', { name: 'Done' }).click()
  expect(await vhost.count(DLQ)).toBe(ORDERS - 3)

  await navLink(page, 'Archive').click()
  await page.getByLabel('Vhost').selectOption(vhost.name)
  const archived = page.locator(`[data-testid=archive-row][data-message-id="${messageId}"]`)
  await expect(archived.getByTestId('archive-status')).toHaveText('archived')
  await expect(archived).toContainText(DLQ)
  await archived.getByRole('checkbox').check()
  await page.getByRole('button', { name: /^Restore selected/ }).click()
  const restore = page.getByTestId('restore-dialog')
  await restore.getByRole('button', { name: 'Restore' }).click()
  await expect(restore.getByTestId('operation-result')).toHaveText('Restored 1 message.')
  await restore.getByRole('button', { name: 'Done' }).click()
  await expect(archived.getByTestId('archive-status')).toContainText('restored')
  await page.screenshot({ path: 'test-results/archive-restored.png' })

  await expect.poll(() => vhost.count(DLQ)).toBe(ORDERS - 2)
})

test('a viewer sees the dead letters but no requeue, delete, purge or restore', async ({
  viewerPage: page,
}) => {
  await openDeadLetterQueue(page)
  await expect(page.getByTestId('session-role')).toHaveText('viewer')
  await expect(rows(page)).toHaveCount(ORDERS - 2)

  await expect(page.getByRole('button', { name: /requeue/i })).toHaveCount(0)
  await expect(page.getByRole('button', { name: /delete/i })).toHaveCount(0)
  await expect(page.getByRole('button', { name: /purge/i })).toHaveCount(0)
  await rows(page).first().click()
  await expect(page.getByTestId('drawer-error')).toBeVisible()
  await expect(
    page.getByTestId('message-drawer').getByRole('button', { name: /requeue|delete/i }),
  ).toHaveCount(0)
  await page.keyboard.press('Escape')

  await navLink(page, 'Archive').click()
  await expect(page.getByRole('heading', { name: 'Archive' })).toBeVisible()
  await expect(page.getByRole('button', { name: /restore/i })).toHaveCount(0)
  await page.screenshot({ path: 'test-results/viewer.png' })
})

test('purge asks for the queue name and does nothing until it matches', async ({ page }) => {
  await openDeadLetterQueue(page)
  await expect(rows(page)).toHaveCount(ORDERS - 2)
  await page.getByRole('button', { name: 'Purge…' }).click()
  const dialog = page.getByTestId('purge-dialog')
  const confirm = dialog.getByRole('button', { name: 'Purge' })
  const name = dialog.getByLabel('Queue name to confirm purge')

  await expect(confirm).toBeDisabled()
  await name.fill('e2e.orders')
  await expect(confirm).toBeDisabled()
  await name.press('Enter')
  await name.fill(`${DLQ} `)
  await expect(confirm).toBeDisabled()
  await page.screenshot({ path: 'test-results/purge-waiting.png' })
  expect(await vhost.count(DLQ)).toBe(ORDERS - 2)

  await name.fill(DLQ)
  await expect(confirm).toBeEnabled()
  await confirm.click()
  await expect(dialog.getByTestId('operation-result')).toHaveText(
    `Purged ${ORDERS - 2} messages (kept in the archive).`,
  )
  expect(await vhost.count(DLQ)).toBe(0)
  await dialog.getByRole('button', { name: 'Done' }).click()
  await expect(page.getByTestId('no-messages')).toHaveText('This dead-letter queue is empty.')
})
