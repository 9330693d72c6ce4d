/** Where playwright.config.ts starts the e2e server. */
export const E2E_PORT = 8181
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`

/** Tokens the e2e server is started with; the specs log in with them. */
export const E2E_TOKENS = { operator: 'e2e-operator-token', viewer: 'e2e-viewer-token' } as const
