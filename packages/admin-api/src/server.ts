import { serve } from '@hono/node-server'
import type { AppOverrides, WarrenApp } from './app.js'
import type { Config } from './config.js'
import { createWarrenAdmin } from './embed.js'

/** A running admin API server. */
export interface RunningServer {
  /** Where the console is, e.g. `http://127.0.0.1:8080/`. */
  url: string
  /** The link that logs in with the generated token; the plain URL when a token was configured. */
  loginUrl: string
  warren: WarrenApp
  /** Stops accepting connections, then closes the app's timers and connections. */
  close(): Promise<void>
}

/**
 * Serves the admin API and the console on `config.host:config.port`. When no admin token is
 * configured, makes one and returns a login link holding it (`#token=`: a fragment never
 * reaches a server log).
 */
export async function startServer(
  config: Config,
  overrides: AppOverrides = {},
): Promise<RunningServer> {
  // The same admin API a host embeds, at the root.
  // On a port of its own, the server answers only to the names it is known by.
  const admin = createWarrenAdmin({ checkHost: true, ...overrides, config })
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: admin.fetch, hostname: config.host, port: config.port }, () =>
      resolve(s),
    )
    s.once('error', reject)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`
  return {
    url,
    loginUrl: config.adminToken === undefined ? `${url}#token=${admin.adminToken}` : url,
    warren: admin.warren,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await admin.close()
    },
  }
}
