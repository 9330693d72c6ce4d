/**
 * The RabbitMQ 4.3 backend of `startRabbitNode` (WARREN_FAULTS_BROKER=4.3, which
 * `test/faults/run.mjs --broker 4.3` sets): each throwaway node is a chrooted 4.3 node of
 * scripts/rabbitmq.mjs, in the root folder WARREN_RABBITMQ_DIR names, with the same interface as
 * a 3.10 node of the machine's own binaries. Its data lives in <root>/var/lib/warren/<name> and
 * goes with `stop()`. Every 4.3 node runs the management and Prometheus plugins
 * (rabbitmq.mjs enables both), whatever `plugins` asks. With `network`, the node runs in a network
 * namespace of its own (partition-cluster.ts makes them) and answers on that namespace's address.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { RabbitNode, RabbitNodeOptions } from './rabbit-node.js'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('../../scripts/rabbitmq.mjs', import.meta.url))
const ROOT = resolve(
  process.env.WARREN_RABBITMQ_DIR ??
    fileURLToPath(new URL('../../.cache/rabbitmq-4.3', import.meta.url)),
)

/** A node in network namespace `netns`, listening on `ip` and called `<short>@<ip>`. */
export interface NodeNetwork {
  netns: string
  ip: string
  /** Seconds until a silent peer counts as down (Erlang's default: 60). */
  netTicktime?: number
}

interface Ports {
  port: number
  distPort: number
  managementPort: number
  prometheusPort: number
}

/** Starts a 4.3 node named `name` (`<short>@localhost`) and resolves once it answers AMQP. */
export async function startRabbitNode43(
  name: string,
  ports: Ports,
  options: RabbitNodeOptions,
  waitForAmqp: (port: number, timeoutMs: number, host?: string) => Promise<void>,
  network?: NodeNetwork,
): Promise<RabbitNode> {
  const short = name.split('@')[0] ?? name
  const host = network?.ip ?? '127.0.0.1'
  if (name !== `${short}@${network?.ip ?? 'localhost'}`) {
    throw new Error(`a 4.3 node is <name>@${network?.ip ?? 'localhost'}, not ${name}`)
  }
  const script = (...args: string[]) =>
    run(process.execPath, [SCRIPT, ...args], {
      env: { ...process.env, WARREN_RABBITMQ_DIR: ROOT },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    })
  const startArgs = [
    'start',
    '--name',
    short,
    '--amqp-port',
    String(ports.port),
    '--management-port',
    String(ports.managementPort),
    '--dist-port',
    String(ports.distPort),
    '--prometheus-port',
    String(ports.prometheusPort),
    ...(network ? ['--netns', network.netns, '--ip', network.ip] : []),
    ...(network?.netTicktime ? ['--net-ticktime', String(network.netTicktime)] : []),
    // As every 4.3 pass of pnpm test: no deprecated feature that the suite could lean on.
    '--config',
    'deprecated_features.permit.transient_nonexcl_queues = false',
    ...(options.config ?? []).flatMap((line) => ['--config', line]),
    ...(options.advancedConfig === undefined ? [] : ['--advanced-config', options.advancedConfig]),
  ]
  const ctl = async (...args: string[]) =>
    String((await script('ctl', '--name', short, '--', ...args)).stdout)
  const dir = join(ROOT, 'var/lib/warren', short)
  const timeoutMs = options.startTimeoutMs ?? 90_000

  let stopped = false
  const node: RabbitNode = {
    name,
    port: ports.port,
    distPort: ports.distPort,
    managementPort: ports.managementPort,
    url: `amqp://guest:guest@${host}:${ports.port}`,
    managementUrl: `http://${host}:${ports.managementPort}`,
    dir,
    ctl,
    async stopApp() {
      await ctl('stop_app')
    },
    async startApp() {
      await ctl('start_app')
      await node.waitForAmqp(timeoutMs)
    },
    waitForAmqp: (ms = timeoutMs) => waitForAmqp(ports.port, ms, host),
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
      await script(...startArgs)
      await node.waitForAmqp()
    },
    async stop() {
      if (stopped) return
      stopped = true
      // rabbitmq.mjs wakes a frozen VM, stops it (by force if it must) and removes its data.
      await script('stop', '--name', short, '--purge')
    },
  }

  try {
    await script(...startArgs)
    await node.waitForAmqp()
  } catch (error) {
    await node.stop().catch(() => {})
    throw error
  }
  return node
}
