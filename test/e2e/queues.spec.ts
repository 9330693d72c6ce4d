import type { Page, Response } from '@playwright/test'
import { createTestVhost, type TestVhost } from '@warren/test-kit'
import { expect, test } from './support/fixtures.js'
import { navLink } from './support/console.js'
import { e2eVhostName } from './support/server.js'

// A broker with 5,000 queues (in a vhost of this file's own): the console lists, sorts and
// searches them a page at a time, the server doing the work, and the URL keeps the view.

const QUEUES = 5_000
const name = (n: number) => `e2e.load.${String(n).padStart(4, '0')}`

let vhost: TestVhost

test.beforeAll(async () => {
  // 5,000 declares take the broker a while on a busy machine; the specs' 90 s is for a page.
  test.setTimeout(240_000)
  vhost = await createTestVhost(e2eVhostName('queues'))
  await vhost.withChannel(async (ch) => {
    // One channel, every declare in flight at once.
    await Promise.all(Array.from({ length: QUEUES }, (_, n) => ch.assertQueue(name(n))))
  })
})

test.afterAll(async () => {
  await vhost?.remove()
})

interface ListCall {
  params: URLSearchParams
  items: number
  total: number
}

/** Every answer of `GET /api/queues` the page receives, with what it asked and what came back. */
function observeQueueLists(page: Page): ListCall[] {
  const calls: ListCall[] = []
  page.on('response', async (response: Response) => {
    const url = new URL(response.url())
    if (url.pathname !== '/api/queues' || !response.ok()) return
    const body = (await response.json()) as { items: unknown[]; total: number }
    calls.push({ params: url.searchParams, items: body.items.length, total: body.total })
  })
  return calls
}

const rows = (page: Page) => page.getByTestId('queue-row')

test('the queue list searches, sorts and pages 5,000 queues on the server, one page at a time', async ({
  page,
}) => {
  const calls = observeQueueLists(page)
  await page.goto('/')
  await navLink(page, 'Queues').click()
  await page.getByLabel('Search queues').fill(vhost.name)

  await expect(page.getByTestId('queue-range')).toHaveText('1–100 of 5,000')
  await expect(rows(page)).toHaveCount(100)
  await expect(rows(page).first()).toHaveAttribute('data-queue', name(0))
  await expect(page).toHaveURL(new RegExp(`search=${vhost.name}`))

  // Sorting by a column header, from the keyboard: the same key turns the order round.
  const byName = page.getByRole('columnheader', { name: /^Queue/ })
  await byName.getByRole('button').focus()
  await page.keyboard.press('Enter')
  await expect(byName).toHaveAttribute('aria-sort', 'descending')
  await expect(rows(page).first()).toHaveAttribute('data-queue', name(QUEUES - 1))

  await page.getByLabel('Queues per page').selectOption('25')
  await expect(rows(page)).toHaveCount(25)
  await page.getByRole('button', { name: 'Next →' }).click()
  await expect(page.getByTestId('queue-range')).toHaveText('26–50 of 5,000')
  await expect(rows(page).first()).toHaveAttribute('data-queue', name(QUEUES - 26))

  // The last request asked the server for exactly this view.
  await expect.poll(() => calls.at(-1)?.params.get('page')).toBe('2')
  const last = calls.at(-1)?.params
  expect(Object.fromEntries(last ?? [])).toMatchObject({
    search: vhost.name,
    sort: 'name',
    order: 'desc',
    page: '2',
    pageSize: '25',
  })
  // No answer carried more than the page it was asked for, though the total was 5,000.
  expect(calls.length).toBeGreaterThan(0)
  for (const call of calls) {
    expect(call.items).toBeLessThanOrEqual(Number(call.params.get('pageSize')))
  }
  expect(calls.filter((c) => c.params.get('search') === vhost.name).map((c) => c.total)).toContain(
    QUEUES,
  )

  // A link opens the same view.
  const link = page.url()
  await page.goto('/')
  await page.goto(link)
  await expect(page.getByTestId('queue-range')).toHaveText('26–50 of 5,000')
  await expect(rows(page).first()).toHaveAttribute('data-queue', name(QUEUES - 26))
  await expect(page.getByLabel('Search queues')).toHaveValue(vhost.name)
})

test('a search that matches nothing says so, with a total of none', async ({ page }) => {
  await page.goto(`/queues?search=${encodeURIComponent(`${vhost.name}/no-such-queue`)}`)
  await expect(page.getByText('No queue matches.')).toBeVisible()
  await expect(page.getByTestId('queue-range')).toHaveText('None of 0')
})

test("a queue's vhost filters the list to that vhost, and the filter clears again", async ({
  page,
}) => {
  const calls = observeQueueLists(page)
  await page.goto(`/queues?search=${encodeURIComponent(`${vhost.name}/${name(42)}`)}`)
  await expect(rows(page)).toHaveCount(1)
  await rows(page).getByRole('link', { name: vhost.name }).click()
  await expect(page.getByTestId('vhost-filter')).toContainText(vhost.name)
  await expect.poll(() => calls.at(-1)?.params.get('vhost')).toBe(vhost.name)
  await page.getByLabel('Search queues').fill('')
  await expect(page.getByTestId('queue-range')).toHaveText('1–100 of 5,000')

  await page.getByRole('button', { name: `Vhost ${vhost.name}: show every vhost` }).click()
  await expect(page.getByTestId('vhost-filter')).toHaveCount(0)
  await expect.poll(() => calls.at(-1)?.params.has('vhost')).toBe(false)
})
