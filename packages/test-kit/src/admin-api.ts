import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from './wait.js'

const ROOT = fileURLToPath(new URL('../../..', import.meta.url))
const MAIN = join(ROOT, 'packages/admin-api/src/main.ts')

/** The operator token every admin API started here has. */
export const ADMIN_TOKEN = 'test-kit-admin-token-0123456789'

export interface AdminApiOptions {
  /** The broker's AMQP URL, without a vhost. */
  amqpUrl: string
  /** The broker's management API base URL. */
  managementUrl: string
  /** The vhosts the admin API watches. */
  vhosts: readonly string[]
  /** Its data folder (audit log, the SQLite store by default). Kept across restarts. */
  dataDir: string
  /** The port; give the same one to a restart so that callers keep their base URL. */
  port: number
  /** More of its environment, e.g. `WARREN_DEAD_LETTER_STORE`. @default {} */
  env?: Record<string, string>
  /** Whether its output goes to stderr too, each line tagged with its pid. @default false */
  echo?: boolean
}

/** An admin API in a process of its own (`node --import tsx packages/admin-api/src/main.ts`). */
export interface AdminApiProcess {
  readonly pid: number
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  /** A request to `path` (e.g. `/api/health`) with the operator token; JSON bodies are sent as such. */
  request(path: string, init?: { method?: string; body?: unknown }): Promise<Response>
  /** `kill -9`: no shutdown, nothing flushed, nothing acked. */
  kill(): Promise<void>
  /** SIGTERM (its graceful shutdown), then SIGKILL if it lingers. Safe after kill(). */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()

/** Resolves once `child` has exited, also when it already has. */
const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((resolve) => child.once('exit', () => resolve()))

/** Starts the admin API and resolves once `/api/health` answers. */
export async function startAdminApi(options: AdminApiOptions): Promise<AdminApiProcess> {
  // The admin API's own process, not a tsx wrapper around it: SIGKILL must reach it, or a
  // wrapper's orphan would go on working (and writing its data folder) after the kill.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    // `tsx` resolves from this package.
    cwd: join(ROOT, 'packages/test-kit'),
    env: {
      ...process.env,
      WARREN_AMQP_URL: options.amqpUrl,
      WARREN_MANAGEMENT_URL: options.managementUrl,
      WARREN_VHOSTS: options.vhosts.join(','),
      WARREN_ADMIN_TOKEN: ADMIN_TOKEN,
      WARREN_PORT: String(options.port),
      WARREN_DATA_DIR: options.dataDir,
      WARREN_DISCOVERY_CACHE: '0ms',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  child.once('exit', () => running.delete(child))
  // The last words, for the error when it dies before it answers (with `echo`: all).
  let tail = ''
  const keep = (data: Buffer) => {
    if (options.echo) process.stderr.write(`[admin-api ${child.pid}] ${data}`)
    tail = (tail + data.toString()).slice(-2000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)

  const base = `http://127.0.0.1:${options.port}`
  const request: AdminApiProcess['request'] = (path, init = {}) =>
    fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${ADMIN_TOKEN}`,
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    })
  const handle: AdminApiProcess = {
    pid: child.pid as number,
    base,
    request,
    async kill() {
      child.kill('SIGKILL')
      await exited(child)
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited(child)
      clearTimeout(timer)
    },
  }
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`the admin API exited (${child.exitCode ?? child.signalCode}): ${tail}`)
        }
        return (await fetch(`${base}/api/health`).catch(() => null))?.ok === true
      },
      'the admin API to answer',
      30_000,
    )
  } catch (error) {
    await handle.kill()
    throw error
  }
  return handle
}

/** Kills every admin API of this file still running; for `finally`, after a failed assertion. */
export async function killAdminApis(): Promise<void> {
  for (const child of running) {
    child.kill('SIGKILL')
    await exited(child)
  }
}

/** A TCP port nobody listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}
