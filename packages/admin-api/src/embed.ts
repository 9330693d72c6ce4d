import type { IncomingMessage, ServerResponse } from 'node:http'
import { getRequestListener } from '@hono/node-server'
import { Hono } from 'hono'
import { mount } from 'hono/mount'
import { createApp, type AppOverrides, type WarrenApp } from './app.js'
import { generateToken } from './auth/tokens.js'
import { loadConfig, type Config } from './config.js'
import type { Role } from './context.js'
import { ConfigError } from './errors.js'

/** How a host embeds the admin API. */
export interface WarrenAdminOptions extends Omit<AppOverrides, 'basePath'> {
  /** The admin API's configuration. @default loadConfig() (the `WARREN_*` environment) */
  config?: Config
  /**
   * The path the host serves Warren under, e.g. `/ops/warren`: the API answers at
   * `<basePath>/api/…` and the console at `<basePath>/`. No trailing slash.
   * @default '' (the root, as the standalone server)
   */
  basePath?: string
  /**
   * Lets the host's own authentication stand in for Warren's login: called for every request,
   * it returns the role the host grants the caller, or `undefined` to leave the request to
   * Warren's own tokens and sessions. Without it, Warren's login applies behind the host's.
   * @default undefined (Warren's login only)
   */
  trustHost?: (request: Request) => Role | undefined | Promise<Role | undefined>
}

/** An admin API that a host mounts; `close()` it when the host stops. */
export interface WarrenAdmin {
  /** A Hono app answering under `basePath`: `host.route('/', admin.app)`. */
  app: Hono
  /**
   * The same as a fetch handler of full request URLs (`<basePath>/…`); `env` is the server's
   * bindings (@hono/node-server's carry the socket: the client address the login limits use).
   */
  fetch(request: Request, env?: unknown): Promise<Response>
  /**
   * The same as a Node request listener, for Express (`host.use(basePath, admin.handler)`),
   * Fastify (`reply.hijack(); admin.handler(request.raw, reply.raw)`) or `node:http`.
   */
  handler(request: IncomingMessage, response: ServerResponse): void
  /** The operator token: the configured one, or one made for this process when none was. */
  adminToken: string
  warren: WarrenApp
  /** Stops the admin API's timers and broker connections (the host closes its own server). */
  close(): Promise<void>
}

const BASE_PATH = /^(\/[\w.~-]+)*$/

/**
 * Creates the admin API and its console for a host to serve under a path of its choice.
 *
 * @example
 * const admin = createWarrenAdmin({ basePath: '/ops/warren' })
 * host.route('/', admin.app) // Hono
 * expressApp.use('/ops/warren', requireStaff, admin.handler) // Express, behind the host's auth
 */
export function createWarrenAdmin(options: WarrenAdminOptions = {}): WarrenAdmin {
  const { config = loadConfig(), basePath = '', trustHost, ...overrides } = options
  if (!BASE_PATH.test(basePath) || basePath.includes('/.')) {
    throw new ConfigError(`basePath: expected a path like /ops/warren, got '${basePath}'`)
  }
  const adminToken = config.adminToken ?? generateToken()
  // A host that grants the viewer role needs a viewer token to hand on, configured or not.
  const viewerToken = config.viewerToken ?? (trustHost ? generateToken() : undefined)
  const warren = createApp(
    { ...config, adminToken, viewerToken },
    { checkHost: false, ...overrides, basePath },
  )

  // `env` carries the Node server's socket (@hono/node-server): the client's address, which the
  // login limits and the audit log key on, must reach the admin API through the host's app.
  const forward = async (request: Request, env?: unknown): Promise<Response> => {
    const role = trustHost ? await trustHost(request) : undefined
    if (role === undefined) return warren.app.fetch(request, env)
    const headers = new Headers(request.headers)
    headers.set('authorization', `Bearer ${role === 'operator' ? adminToken : viewerToken}`)
    return warren.app.fetch(new Request(request, { headers }), env)
  }

  const app = new Hono()
  if (basePath === '') {
    app.all('*', (c) => forward(c.req.raw, c.env))
  } else {
    app.get(basePath, (c) => c.redirect(`${basePath}/`, 308))
    app.all(`${basePath}/*`, mount(forward))
  }
  const listener = getRequestListener(app.fetch)
  return {
    app,
    fetch: async (request, env) => app.fetch(request, env),
    handler(request, response) {
      // Express strips its mount path from `url` and keeps the full one in `originalUrl`.
      const original = (request as IncomingMessage & { originalUrl?: string }).originalUrl
      if (original !== undefined) request.url = original
      void listener(request, response)
    },
    adminToken,
    warren,
    close: () => warren.close(),
  }
}
