import { defineProject } from 'vitest/config'

// Unit tests of the console's pure functions (filters, sorting, grouping, formatting, query
// keys) in node, and component tests (`*.test.tsx`) in happy-dom with the admin API's fetch
// mocked: no broker, no server.
export default defineProject({
  test: {
    name: 'admin-ui',
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
    setupFiles: ['src/test-support/setup.ts'],
  },
})
