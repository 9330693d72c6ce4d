import { expect, type Page } from '@playwright/test'

/** Opens the login link the server prints, as an operator would. */
export async function openLoginLink(page: Page, token: string): Promise<void> {
  await page.goto(`/#token=${encodeURIComponent(token)}`)
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
}

/** The console's URL of one dead-letter queue. */
export const deadLetterPath = (vhost: string, queue: string) =>
  `/dead-letters/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`

/** A screen's link in the main navigation (the overview's cards link to screens too). */
export const navLink = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })
