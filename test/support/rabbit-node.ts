/**
 * Throwaway RabbitMQ nodes for tests that must stop, restart or cluster a broker, which the
 * shared node on :5672 must never undergo. Each node has its own name, ports and data folder
 * (under a mkdtemp directory), runs the binaries in /usr/lib/rabbitmq/bin as the current user
 * with that user's Erlang cookie, and is removed by `stop()`.
 *
 * @example
 * const node = await startRabbitNode()
 * try {
 *   await node.stopApp()
 *   await node.startApp()
 * } finally {
 *   await node.stop()
 * }
 */
import { execFile, type ExecFileOptions } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startRabbitNode43 } from './rabbit-node-43.js'

const run = promisify(execFile)
const BIN = process.env.RABBITMQ_BIN_DIR ?? '/usr/lib/rabbitmq/bin'

export interface RabbitNodeOptions {
  /** Erlang node name. @default `warren-t<random>@localhost` */
  nodeName?: string
  /** AMQP port. @default a free port */
  port?: number
  /** Erlang distribution port. @default a free port */
  distPort?: number
  /** Plugins to enable, e.g. `['rabbitmq_management']`. @default [] (starts fastest) */
  plugins?: string[]
  /** Management HTTP port, used when `plugins` includes rabbitmq_management. @default a free port */
  managementPort?: number
  /** Lines appended to the node's rabbitmq.conf. @default [] */
  config?: string[]
  /**
   * The node's advanced.config (Erlang terms), for settings rabbitmq.conf does not take, e.g.
   * `[{rabbit, [{dead_letter_worker_publisher_confirm_timeout, 5000}]}].` @default '[].'
   */
  advancedConfig?: string
  /** How long to wait for the node to accept AMQP. @default 90000 */
  startTimeoutMs?: number
}

export interface RabbitNode {
  /** Erlang node name, e.g. `warren-t1a2b3c4d@localhost` (what `join_cluster` takes). */
  readonly name: string
  readonly port: number
  readonly distPort: number
  readonly managementPort: number | undefined
  /** `amqp://guest:guest@127.0.0.1:<port>` */
  readonly url: string
  /** `http://127.0.0.1:<managementPort>` when the management plugin is on. */
  readonly managementUrl: string | undefined
  /** The node's folder: data, logs, config. */
  readonly dir: string
  /** Runs `rabbitmqctl -n <name> ...args` and returns its stdout. */
  ctl(...args: string[]): Promise<string>
  /** Stops the RabbitMQ application (clients are disconnected), keeps the Erlang node up. */
  stopApp(): Promise<void>
  /** Starts the application again and resolves once AMQP answers. */
  startApp(): Promise<void>
  /** Resolves once the node answers the AMQP protocol header. */
  waitForAmqp(timeoutMs?: number): Promise<void>
  /** Joins `other`'s cluster (stop_app, join_cluster, start_app); resolves once AMQP answers. */
  join(other: RabbitNode): Promise<void>
  /** The OS pid of the node's Erlang VM (from the pid file it writes at boot). */
  pid(): Promise<number>
  /** Sends a signal to the Erlang VM: `SIGKILL` to crash it, `SIGSTOP` / `SIGCONT` to freeze it. */
  signal(signal: NodeJS.Signals): Promise<void>
  /** Boots the node again on its own folder (after a crash or `SIGKILL`); resolves once AMQP answers. */
  restart(): Promise<void>
  /** Stops the node and removes its folder. Safe to call twice. */
  stop(): Promise<void>
}

/**
 * Starts a fresh single RabbitMQ node and resolves once it accepts AMQP connections: of the
 * machine's binaries, or a chrooted RabbitMQ 4.3 node when WARREN_FAULTS_BROKER is `4.3`
 * (rabbit-node-43.ts).
 */
export async function startRabbitNode(options: RabbitNodeOptions = {}): Promise<RabbitNode> {
  const id = randomBytes(4).toString('hex')
  const name = options.nodeName ?? `warren-t${id}@localhost`
  if (process.env.WARREN_FAULTS_BROKER === '4.3') {
    const ports = {
      port: options.port ?? (await freePort()),
      distPort: options.distPort ?? (await freePort()),
      managementPort: options.managementPort ?? (await freePort()),
      prometheusPort: await freePort(),
    }
    return startRabbitNode43(name, ports, options, waitForAmqp)
  }
  const dir = await mkdtemp(join(tmpdir(), `warren-rabbit-${id}-`))
  const port = options.port ?? (await freePort())
  const distPort = options.distPort ?? (await freePort())
  const plugins = options.plugins ?? []
  const managementPort = plugins.includes('rabbitmq_management')
    ? (options.managementPort ?? (await freePort()))
    : undefined

  const config = [
    `listeners.tcp.default = 127.0.0.1:${port}`,
    ...(managementPort
      ? [`management.tcp.port = ${managementPort}`, 'management.tcp.ip = 127.0.0.1']
      : []),
    ...(options.config ?? []),
  ]
  await writeFile(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`)
  await writeFile(join(dir, 'advanced.config'), `${options.advancedConfig ?? '[].'}\n`)
  await writeFile(join(dir, 'enabled_plugins'), `[${plugins.join(',')}].\n`)
  // Our own env file, so the system's (which names the shared node) is not read.
  await writeFile(join(dir, 'rabbitmq-env.conf'), 'ERL_EPMD_ADDRESS=127.0.0.1\n')

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RABBITMQ_NODENAME: name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  }
  const exec = (file: string, args: string[], extra: ExecFileOptions = {}) =>
    run(join(BIN, file), args, { env, timeout: 120_000, ...extra })
  const ctl = async (...args: string[]) =>
    String((await exec('rabbitmqctl', ['-n', name, ...args])).stdout)

  let stopped = false
  const node: RabbitNode = {
    name,
    port,
    distPort,
    managementPort,
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    managementUrl: managementPort ? `http://127.0.0.1:${managementPort}` : undefined,
    dir,
    ctl,
    async stopApp() {
      await ctl('stop_app')
    },
    async startApp() {
      await ctl('start_app')
      await node.waitForAmqp(options.startTimeoutMs)
    },
    waitForAmqp: (timeoutMs = options.startTimeoutMs ?? 90_000) => waitForAmqp(port, timeoutMs),
    async join(other) {
      await ctl('stop_app')
      await ctl('join_cluster', other.name)
      await node.startApp()
    },
    async pid() {
      const pid = Number((await readFile(join(dir, 'rabbit.pid'), 'utf8')).trim())
      // The pid file outlives a killed VM and its pid may be reused: check the process is ours.
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
      if (!(pid > 0) || !environ.split('\0').includes(`RABBITMQ_NODENAME=${name}`)) {
        throw new Error(`${name} is not running`)
      }
      return pid
    },
    async signal(signal) {
      process.kill(await node.pid(), signal)
    },
    async restart() {
      await exec('rabbitmq-server', ['-detached'])
      await node.waitForAmqp()
    },
    async stop() {
      if (stopped) return
      stopped = true
      const pid = await node.pid().catch(() => undefined)
      try {
        // A frozen VM (SIGSTOP) cannot answer the CLI: wake it first.
        if (pid !== undefined) await node.signal('SIGCONT').catch(() => {})
        await exec('rabbitmqctl', ['-n', name, 'stop'], { timeout: 60_000 }).catch(() => {})
        // `stop` returns before the VM is gone: wait for it, else end it by force.
        if (pid !== undefined && !(await exited(pid, 15_000))) {
          await node.signal('SIGKILL').catch(() => {})
          await exited(pid, 15_000)
        }
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  }

  try {
    await exec('rabbitmq-server', ['-detached'])
    await node.waitForAmqp()
  } catch (error) {
    await node.stop().catch(() => {})
    throw error
  }
  return node
}

/** Resolves true once process `pid` is gone, false when it still runs after `timeoutMs`. */
async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // A zombie (nobody reaps orphans in some containers) has exited too.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (stat === '' || /^\d+ \(.*\) Z/.test(stat)) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('no port'))
      })
    })
  })
}

/** Resolves when the port answers the AMQP 0-9-1 header with a method frame. */
export async function waitForAmqp(
  port: number,
  timeoutMs: number,
  host = '127.0.0.1',
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await probeAmqp(port, host))) {
    if (Date.now() > deadline) throw new Error(`no AMQP on ${host}:${port} after ${timeoutMs}ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

function probeAmqp(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))
    // A frame of type 1 (method) is connection.start: the broker is ready for clients.
    socket.on('data', (data) => done(data[0] === 1))
  })
}
