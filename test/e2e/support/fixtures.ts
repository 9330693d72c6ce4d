import { test as base, expect, type APIRequestContext, type Page } from '@playwright/test'
import { E2E_BASE_URL, E2E_TOKENS } from './server.js'

type Role = keyof typeof E2E_TOKENS
type StorageState = Awaited<ReturnType<APIRequestContext['storageState']>>

interface WorkerFixtures {
  /**
   * Session cookies of one login per role, shared by the worker's tests: the server allows only
   * a few logins per client and minute.
   */
  sessions: Record<Role, StorageState>
}

interface TestFixtures {
  /** A page of a viewer's session, beside the operator's `page`. */
  viewerPage: Page
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  sessions: [
    async ({ playwright }, use) => {
      const login = async (role: Role) => {
        const request = await playwright.request.newContext({ baseURL: E2E_BASE_URL })
        try {
          const response = await request.post('/api/session', {
            data: { token: E2E_TOKENS[role] },
            headers: { 'content-type': 'application/json' },
          })
          expect(response.status()).toBe(200)
          return await request.storageState()
        } finally {
          await request.dispose()
        }
      }
      await use({ operator: await login('operator'), viewer: await login('viewer') })
    },
    { scope: 'worker' },
  ],
  // Every `page` starts logged in as an operator.
  storageState: async ({ sessions }, use) => use(sessions.operator),
  viewerPage: async ({ browser, sessions }, use) => {
    const context = await browser.newContext({
      baseURL: E2E_BASE_URL,
      storageState: sessions.viewer,
    })
    try {
      await use(await context.newPage())
    } finally {
      await context.close()
    }
  },
})

export { expect }
