import { resolve } from 'node:path'
import type { Page } from '@playwright/test'
import { connect, defineTopology, type Broker } from '@warren/sdk'
import { HEADERS } from '@warren/sdk/protocol'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { expect, test } from './support/fixtures.js'
import { e2eVhostName } from './support/server.js'

// The acceptance scenario of the console (issue 15): an incident in one vhost, three DLQs failing
// with different errors. The overview's incident board, narrowed to that vhost, puts the fullest
// DLQ on top with its largest failure group, and that link opens exactly those messages. The
// README shows the board and the phone layout from the screenshots taken here.
test.describe.configure({ mode: 'serial' })

/** Dead letters per DLQ, by error: orders.dlq is the worst, its card declines its top error. */
const FAILURES = {
  orders: [
    { name: 'PaymentError', message: 'card declined', count: 5 },
    { name: 'TimeoutError', message: 'gateway timed out', count: 2 },
  ],
  invoices: [{ name: 'ValidationError', message: 'amount must be positive', count: 3 }],
  emails: [{ name: 'SmtpError', message: 'mailbox unavailable', count: 2 }],
} as const
type Queue = keyof typeof FAILURES

const topology = defineTopology({
  queues: {
    orders: { type: 'classic', retry: { delays: ['1s'], maxAttempts: 2 } },
    invoices: { type: 'classic', retry: { delays: ['1s'], maxAttempts: 2 } },
    emails: { type: 'classic', retry: { delays: ['1s'], maxAttempts: 2 } },
  },
})

let vhost: TestVhost
let broker: Broker<typeof topology>

test.beforeAll(async () => {
  vhost = await createTestVhost(e2eVhostName('incident'))
  // Declares the three work queues with their retry queues and DLQs.
  broker = await connect({ url: vhost.url, topology, service: 'e2e-incident' })
})

test.afterAll(async () => {
  try {
    await broker?.close()
  } finally {
    await vhost?.remove()
  }
})

/** Dead letters as the SDK writes them, straight into each DLQ. */
async function failEveryQueue() {
  await vhost.withChannel(async (channel) => {
    const at = new Date().toISOString()
    for (const queue of Object.keys(FAILURES) as Queue[]) {
      let n = 0
      for (const failure of FAILURES[queue]) {
        for (let i = 0; i < failure.count; i++, n++) {
          channel.sendToQueue(`${queue}.dlq`, Buffer.from(JSON.stringify({ n })), {
            persistent: true,
            contentType: 'application/json',
            messageId: `${queue}-${n}`,
            headers: {
              [HEADERS.originalQueue]: queue,
              [HEADERS.deadLetterReason]: 'max-attempts',
              [HEADERS.attempt]: 2,
              [HEADERS.errorName]: failure.name,
              [HEADERS.errorMessage]: failure.message,
              [HEADERS.lastFailedAt]: at,
            },
          })
        }
      }
    }
    await channel.waitForConfirms()
  })
}

async function openBoard(page: Page) {
  await page.goto(`/?vhost=${encodeURIComponent(vhost.name)}`)
  await page.getByLabel('Refresh interval').selectOption({ label: '2 s' })
}

test("the overview's top row is the worst DLQ and links to exactly its top error's messages", async ({
  page,
}) => {
  await openBoard(page)
  await failEveryQueue()

  const rows = page.getByTestId('incident-row')
  await expect(rows).toHaveCount(3, { timeout: 60_000 })
  const top = rows.first()
  await expect(top).toHaveAttribute('data-queue', 'orders.dlq')
  await expect(top.getByTestId('incident-messages')).toHaveText('7')
  // The groups route counts the whole queue, once the store holds all seven.
  const topError = top.getByTestId('incident-top-error')
  await expect(topError).toHaveText('PaymentError: card declined 5 messages', { timeout: 30_000 })
  await expect(top.getByTestId('incident-since')).toHaveText(/^since \d+ (s|min)$/)
  await expect(rows.nth(1)).toHaveAttribute('data-queue', 'invoices.dlq')
  await expect(rows.nth(1).getByTestId('incident-top-error')).toContainText(
    'ValidationError: amount must be positive',
  )
  await expect(rows.nth(2)).toHaveAttribute('data-queue', 'emails.dlq')
  await page.screenshot({ path: resolve(import.meta.dirname, '../../docs/console-overview.png') })

  await topError.click()
  await expect(page.getByRole('heading', { name: 'orders.dlq' })).toBeVisible()
  await expect(page).toHaveURL(/[?&]group=/)
  await expect(page).toHaveTitle('orders.dlq · Warren')
  await expect(page.getByTestId('group-filter')).toContainText('PaymentError: card declined')
  await expect(page.getByTestId('page-range')).toHaveText('1–5 of 5')
  await expect(page.getByTestId('message-row')).toHaveCount(5)
  for (const row of await page.getByTestId('message-row').all()) {
    await expect(row).toContainText('PaymentError: card declined')
  }
})

test('on a phone the board is a list of cards, the top one first on the screen', async ({
  page,
}) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await openBoard(page)
  const top = page.getByTestId('incident-row').first()
  await expect(top).toHaveAttribute('data-queue', 'orders.dlq')
  await expect(top.getByTestId('incident-top-error')).toContainText('PaymentError: card declined')
  // The top incident starts within the first screen, not under the charts.
  const box = await top.boundingBox()
  expect(box?.y ?? Infinity).toBeLessThan(844 - 100)
  expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBe(390)
  await page.screenshot({ path: resolve(import.meta.dirname, '../../docs/console-phone.png') })
})
