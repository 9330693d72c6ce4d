import AxeBuilder from '@axe-core/playwright'
import type { Page } from '@playwright/test'
import { deadLetterPath } from './support/console.js'
import { expect, test } from './support/fixtures.js'
import { E2E_BASE_URL } from './support/server.js'

// WCAG 2.2 AA, as axe-core reads it, on every screen of the console in each way an operator
// sees it: light, dark, as a viewer, and on a phone (where nothing may scroll sideways). The
// demo workload (vhost '/') gives the screens their data: its billing DLQ fails all along.
const DEMO_DLQ = 'billing.charge.dlq'
const DEMO_QUEUE = 'billing.charge'
const PHONE = { width: 390, height: 844 }

/** Each screen: where it is and what shows it has its data. */
const SCREENS: { name: string; path: string; ready: (page: Page) => Promise<void> }[] = [
  {
    name: 'overview',
    path: '/',
    ready: (page) => expect(page.getByTestId('incident-row').first()).toBeVisible(),
  },
  {
    name: 'queues',
    path: '/queues',
    ready: (page) => expect(page.getByTestId('queue-row').first()).toBeVisible(),
  },
  {
    name: 'queue',
    path: `/queues/%2F/${DEMO_QUEUE}`,
    ready: (page) => expect(page.getByRole('heading', { name: DEMO_QUEUE })).toBeVisible(),
  },
  {
    name: 'dead letters',
    path: '/dead-letters',
    ready: (page) => expect(page.getByTestId('dlq-row').first()).toBeVisible(),
  },
  {
    name: 'dead-letter queue',
    path: deadLetterPath('/', DEMO_DLQ),
    ready: (page) => expect(page.getByTestId('message-row').first()).toBeVisible(),
  },
  {
    name: 'archive',
    path: '/archive',
    ready: (page) => expect(page.getByRole('heading', { name: 'Archive' })).toBeVisible(),
  },
  {
    name: 'audit log',
    path: '/audit',
    ready: (page) => expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible(),
  },
]

/** How far the page is wider than the screen (0: nothing scrolls sideways). */
const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')

/** The violations on the page now, as "rule: selector" lines, so a failure names the fix. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'])
    .analyze()
  return result.violations.flatMap((v) =>
    v.nodes.map((node) => `${v.id}: ${node.target.join(' ')} ${node.failureSummary ?? ''}`),
  )
}

async function checkEveryScreen(page: Page, mode: string, phone = false) {
  const found: Record<string, string[]> = {}
  for (const screen of SCREENS) {
    await page.goto(screen.path)
    await screen.ready(page)
    found[screen.name] = await violations(page)
    if (phone) expect(await overflow(page), `${screen.name} scrolls sideways`).toBe(0)
    if (phone && screen.name === 'dead-letter queue') {
      // The first rows come first on a phone: the filters wait behind a button.
      await expect(page.getByLabel('Search messages')).toBeHidden()
      await page.getByRole('button', { name: 'Filters' }).click()
      await expect(page.getByLabel('Search messages')).toBeVisible()
    }
    if (screen.name === 'dead-letter queue') {
      // The drawer, opened from the first row.
      await page
        .getByTestId('message-row')
        .first()
        .getByRole('button', { name: /^Open message/ })
        .click()
      await expect(page.getByRole('dialog')).toBeVisible()
      found['message drawer'] = await violations(page)
      await page.keyboard.press('Escape')
    }
  }
  await page.screenshot({ path: `test-results/axe-${mode}.png`, fullPage: true })
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((name) => [name, []])))
}

test.beforeAll(async ({ playwright, sessions }) => {
  // The demo's billing DLQ gets its first dead letters a few seconds after the server starts.
  const request = await playwright.request.newContext({
    baseURL: E2E_BASE_URL,
    storageState: sessions.operator,
  })
  try {
    await expect
      .poll(
        async () => {
          const body = (await (await request.get('/api/dead-letters')).json()) as {
            items: { name: string; messages: number }[]
          }
          return body.items.find((d) => d.name === DEMO_DLQ)?.messages ?? 0
        },
        { timeout: 60_000 },
      )
      .toBeGreaterThan(0)
  } finally {
    await request.dispose()
  }
})

test('every screen has no axe violation in the light theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' })
  await checkEveryScreen(page, 'light')
})

test('every screen has no axe violation in the dark theme', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' })
  await checkEveryScreen(page, 'dark')
})

test('every screen has no axe violation for a viewer', async ({ viewerPage }) => {
  await checkEveryScreen(viewerPage, 'viewer')
})

test('every screen has no axe violation on a phone, and none scrolls sideways', async ({
  page,
}) => {
  await page.setViewportSize(PHONE)
  await checkEveryScreen(page, 'phone', true)
})

test('the login screen has no axe violation', async ({ browser }) => {
  // A context of its own, without the operator's session the other tests start with.
  const context = await browser.newContext({
    baseURL: E2E_BASE_URL,
    storageState: { cookies: [], origins: [] },
  })
  try {
    const page = await context.newPage()
    await page.goto('/')
    await expect(page.getByRole('heading', { name: /Warren console/ })).toBeVisible()
    expect(await violations(page)).toEqual([])
  } finally {
    await context.close()
  }
})
