import { defineConfig } from '@playwright/test'
import {
  E2E_BASE_URL,
  E2E_DATA_DIR,
  E2E_PORT,
  E2E_TOKENS,
  E2E_VHOST_PREFIX,
  e2eVhostName,
} from './e2e/support/server.js'

// The console end to end: the real `pnpm start` (broker bootstrap, admin API serving the built
// console, demo workload) in Debian's Chromium. One worker: the specs share one server.
export default defineConfig({
  testDir: './e2e',
  // WARREN_E2E_CONSOLE_ONLY_ONCE=1 (scripts/test.mjs, on all passes but one): the accessibility
  // scan of the console's own markup, which no broker changes, runs in one pass only.
  testIgnore: process.env.WARREN_E2E_CONSOLE_ONLY_ONCE === '1' ? ['accessibility.spec.ts'] : [],
  outputDir: './test-results',
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: './playwright-report' }],
    // scripts/test.mjs reads each pass's counts from here.
    ['json', { outputFile: process.env.WARREN_E2E_REPORT ?? './test-results/e2e.json' }],
  ],
  use: {
    baseURL: E2E_BASE_URL,
    viewport: { width: 1280, height: 800 },
    screenshot: 'on',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // Built first so the tests never run against a stale console; start.mjs builds only when
    // dist/ is missing.
    command: 'pnpm --filter @warren/admin-ui build && node ../scripts/start.mjs',
    url: `${E2E_BASE_URL}/api/health`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      WARREN_PORT: String(E2E_PORT),
      WARREN_ADMIN_TOKEN: E2E_TOKENS.operator,
      WARREN_VIEWER_TOKEN: E2E_TOKENS.viewer,
      // The store of this run only (the audit log beside it).
      WARREN_DATA_DIR: E2E_DATA_DIR,
      // The demo's vhost and this run's specs' own: the store takes no other DLQ of the broker.
      WARREN_VHOSTS: `/,${E2E_VHOST_PREFIX}-*`,
      // dead-letters.spec.ts tells the story of a queue read live in RabbitMQ; the other specs
      // see the default, dead letters in the store.
      WARREN_LIVE_DEAD_LETTERS: `${e2eVhostName('console')}-*`,
    },
  },
})
