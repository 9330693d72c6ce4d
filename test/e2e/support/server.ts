import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * Where playwright.config.ts starts the e2e server (`WARREN_E2E_PORT`, default 8181): its own
 * port lets two runs share a machine.
 */
export const E2E_PORT = Number(process.env['WARREN_E2E_PORT'] ?? 8181)
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`

/** Tokens the e2e server is started with; the specs log in with them. */
export const E2E_TOKENS = { operator: 'e2e-operator-token', viewer: 'e2e-viewer-token' } as const

// Set by the first process that loads this (Playwright's runner, which reads the config); its
// workers inherit it.
process.env['WARREN_E2E_RUN'] ??= String(process.pid)

/**
 * The e2e server's data directory (audit log, dead-letter store): its own per run of the suite,
 * so nothing of an earlier run is seen.
 */
export const E2E_DATA_DIR = join(tmpdir(), `warren-e2e-${process.env['WARREN_E2E_RUN']}`)

/**
 * The start of every vhost a spec makes (`e2evhost('store')` is `e2e-<run>-store-<hex>`): the
 * e2e server watches only these and the demo's `/`, so two runs on one broker (or a run beside
 * the other tests) never take each other's dead letters.
 */
export const E2E_VHOST_PREFIX = `e2e-${process.env['WARREN_E2E_RUN']}`
export const e2eVhostName = (name: string) => `${E2E_VHOST_PREFIX}-${name}`
