import { expect, test } from './support/fixtures.js'

/** A rate as the console prints it, above zero: `20/s`, `3.4/s`, `0.2/s`. */
const NON_ZERO_RATE = /^(?:[1-9][\d,.]*|0\.[1-9])\/s$/

test('the overview shows non-zero rates while the demo workload runs', async ({ page }) => {
  await page.goto('/')
  await page.getByLabel('Refresh interval').selectOption({ label: '2 s' })

  // The demo starts with the server; the broker's rate samples take a few seconds to show it.
  await expect(page.getByTestId('rate-publish').locator('.stat-value')).toHaveText(NON_ZERO_RATE, {
    timeout: 60_000,
  })
  await expect(page.getByTestId('rate-deliver').locator('.stat-value')).toHaveText(NON_ZERO_RATE)
  await expect(page.getByTestId('rate-ack').locator('.stat-value')).toHaveText(NON_ZERO_RATE)
  // Two samples make a line: the chart has replaced its placeholder.
  await expect(
    page.getByTestId('throughput-chart').getByRole('img', { name: /^Throughput: Publish/ }),
  ).toBeVisible()
  await page.screenshot({ path: 'test-results/overview.png', fullPage: true })
})

test('the overview charts open with the last minutes of history already drawn', async ({
  page,
}) => {
  await page.goto('/')
  // Slow polling: whatever the charts span right after opening came from the server's history.
  await page.getByLabel('Refresh interval').selectOption({ label: '30 s' })
  const chart = page.getByTestId('throughput-chart').getByRole('img', { name: /^Throughput:/ })
  await expect(chart).toBeVisible()
  const span = await chart.evaluate(
    (svg) => Number(svg.getAttribute('data-to')) - Number(svg.getAttribute('data-from')),
  )
  // A broker without management statistics kept no past: the admin API's history starts at its
  // own first reading, and the console says so.
  const { broker } = (await (await page.request.get('/api/overview')).json()) as {
    broker: { statistics: { source: string; since: string | null } }
  }
  if (broker.statistics.source === 'prometheus') {
    await expect(page.getByTestId('statistics-source')).toContainText('history since')
    const kept = Date.now() - Date.parse(broker.statistics.since ?? '')
    // The first 10 s step may start after the first reading.
    expect(span).toBeGreaterThanOrEqual(Math.min(60_000, kept - 20_000))
  } else {
    expect(span).toBeGreaterThanOrEqual(60_000)
  }
  await expect(
    page.getByTestId('failure-chart').getByRole('img', { name: /^Failures: Redeliver/ }),
  ).toBeVisible()
})
