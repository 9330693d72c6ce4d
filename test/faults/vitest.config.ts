import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

// The fault suite: slow, and it starts RabbitMQ nodes of its own. Not part of `pnpm test`;
// run it with `pnpm test:faults` (all scenarios) or `pnpm test:faults --ci` (single-node subset).
export default defineProject({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    name: 'faults',
    include: ['**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    // One scenario at a time: they share two cores with the brokers they start.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
})
