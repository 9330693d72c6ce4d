import { expect, test } from '@playwright/test'
import { openLoginLink } from './support/console.js'
import { E2E_TOKENS } from './support/server.js'

test('a wrong token is refused and the login screen stays', async ({ page }) => {
  await page.goto('/')
  await page.getByLabel('Token').fill('not-the-token-at-all')
  await page.getByRole('button', { name: 'Sign in' }).click()

  await expect(page.getByTestId('login-error')).toHaveText('That token was refused.')
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0)
  await page.screenshot({ path: 'test-results/login-refused.png' })
})

test('an operator logs in with the token and out again', async ({ page }) => {
  await page.goto('/')
  await page.getByLabel('Token').fill(E2E_TOKENS.operator)
  await page.getByRole('button', { name: 'Sign in' }).click()

  await expect(page.getByRole('heading', { name: 'Overview' })).toBeVisible()
  await expect(page.getByTestId('session-role')).toHaveText('operator')

  await page.getByRole('button', { name: 'Log out' }).click()
  await expect(page.getByTestId('login-screen')).toBeVisible()
  await page.reload()
  await expect(page.getByTestId('login-screen')).toBeVisible()
})

test('the printed login link logs in and takes the token out of the address', async ({ page }) => {
  await openLoginLink(page, E2E_TOKENS.operator)

  await expect(page.getByTestId('session-role')).toHaveText('operator')
  expect(page.url()).not.toContain(E2E_TOKENS.operator)
})
