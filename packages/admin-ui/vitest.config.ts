import { defineProject } from 'vitest/config'

// Unit tests of the console's pure functions (filters, sorting, grouping, formatting, query
// keys): node environment, no DOM, no broker.
export default defineProject({
  test: {
    name: 'admin-ui',
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
