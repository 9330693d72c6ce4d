import { defineConfig } from 'vitest/config'

// One vitest run covers every package: unit tests and integration tests against the real broker.
export default defineConfig({
  test: {
    // Most files wait on the broker, not the CPU: three at a time on two cores (vitest's default
    // here is one) keeps the machine busy without starving the broker.
    maxWorkers: 3,
    projects: ['packages/*/vitest.config.ts', 'test/vitest.config.ts', 'examples/vitest.config.ts'],
  },
})
