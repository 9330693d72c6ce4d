import { randomBytes } from 'node:crypto'
import { expect, test } from '@playwright/test'
import { createTestVhost, management, type TestVhost } from '@warren/test-kit'
import { navLink } from './support/console.js'
import { e2eVhostName } from './support/server.js'

// A RabbitMQ user with permissions on one vhost of two logs in with their name and password,
// and the console shows that vhost's dead letters only.
const DLQ = 'people.orders.dlq'

let mine: TestVhost
let theirs: TestVhost
const user = { name: `e2e-person-${randomBytes(4).toString('hex')}`, password: '' }

async function withDeadLetter(vhost: TestVhost) {
  await vhost.withChannel(async (ch) => {
    await ch.assertQueue('people.orders', {
      durable: true,
      arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': DLQ },
    })
    await ch.assertQueue(DLQ, { durable: true })
    ch.sendToQueue(DLQ, Buffer.from('{"order":1}'), { persistent: true })
    await ch.checkQueue(DLQ)
  })
}

test.beforeAll(async () => {
  mine = await createTestVhost(e2eVhostName('people-mine'))
  theirs = await createTestVhost(e2eVhostName('people-theirs'))
  await withDeadLetter(mine)
  await withDeadLetter(theirs)
  user.password = `pw-${randomBytes(12).toString('hex')}`
  await management('PUT', `/api/users/${user.name}`, {
    password: user.password,
    tags: 'management',
  })
  await management('PUT', `/api/permissions/${mine.encoded}/${user.name}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  })
})

test.afterAll(async () => {
  await management('DELETE', `/api/users/${user.name}`)
  await mine?.remove()
  await theirs?.remove()
})

test('a RabbitMQ user signs in and sees the dead letters of their vhost only', async ({ page }) => {
  await page.goto('/')
  await page.getByRole('button', { name: 'Use a RabbitMQ user instead' }).click()
  await page.getByTestId('login-username').fill(user.name)
  await page.getByTestId('login-password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await expect(page.getByTestId('session-role')).toHaveText('operator')

  await navLink(page, 'Dead letters').click()
  const row = (vhost: TestVhost) =>
    page.locator(`[data-testid=dlq-row][data-vhost="${vhost.name}"][data-queue="${DLQ}"]`)
  await expect(row(mine).getByTestId('dlq-messages')).toHaveText('1', { timeout: 30_000 })
  await expect(row(theirs)).toHaveCount(0)
  await expect(page.locator('[data-testid=dlq-row]')).toHaveCount(1)
  await page.screenshot({ path: 'test-results/people-login.png' })
})
