import { defineConfig } from 'vitest/config'

// One vitest run covers every package: unit tests and integration tests against the real broker.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'test/vitest.config.ts', 'examples/vitest.config.ts'],
  },
})
