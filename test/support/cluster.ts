/**
 * A throwaway RabbitMQ cluster of (by default) three nodes on this machine, for tests that crash
 * or freeze nodes: each node is a `startRabbitNode` of its own (name, ports, data folder), the
 * others `join_cluster` the first. `stop()` stops every node and removes every folder.
 *
 * @example
 * const cluster = await startCluster()
 * try {
 *   const leader = await cluster.leaderOf('/', 'orders')
 *   await leader.signal('SIGKILL')
 * } finally {
 *   await cluster.stop()
 * }
 */
import { randomBytes } from 'node:crypto'
import { startRabbitNode, type RabbitNode } from './rabbit-node.js'

export interface ClusterOptions {
  /** Number of nodes. @default 3 */
  size?: number
  /** Plugins of every node. @default ['rabbitmq_management'] */
  plugins?: string[]
  /** Node names are `<prefix><n>@localhost`. @default `warren-c<random>-` */
  prefix?: string
  /** Lines appended to every node's rabbitmq.conf. @default [] */
  config?: string[]
}

export interface RabbitCluster {
  readonly nodes: readonly RabbitNode[]
  /** One AMQP URL per node, in node order. */
  readonly urls: string[]
  /** `rabbitmqctl` against the first node that answers. */
  ctl(...args: string[]): Promise<string>
  /** Names of the nodes the cluster sees running. */
  runningNodes(): Promise<string[]>
  /** Resolves once `count` nodes (default: all) run and see each other. */
  waitForRunning(count?: number, timeoutMs?: number): Promise<void>
  /** The node that hosts the leader of quorum queue `queue` in `vhost`. */
  leaderOf(vhost: string, queue: string): Promise<RabbitNode>
  /** Stops every node and removes their folders, even after a failed start. Safe to call twice. */
  stop(): Promise<void>
}

/** Starts the nodes, joins them into one cluster and resolves once all of them run. */
export async function startCluster(options: ClusterOptions = {}): Promise<RabbitCluster> {
  const size = options.size ?? 3
  const prefix = options.prefix ?? `warren-c${randomBytes(3).toString('hex')}-`
  const plugins = options.plugins ?? ['rabbitmq_management']
  const nodes: RabbitNode[] = []
  const cluster = clusterOf(nodes)

  try {
    // Booting in parallel is faster even on two cores: most of a boot is waiting.
    const started = await Promise.allSettled(
      Array.from({ length: size }, (_, i) =>
        startRabbitNode({
          nodeName: `${prefix}${i + 1}@localhost`,
          plugins,
          ...(options.config && { config: options.config }),
        }),
      ),
    )
    for (const result of started) if (result.status === 'fulfilled') nodes.push(result.value)
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    const [seed, ...others] = nodes as [RabbitNode, ...RabbitNode[]]
    for (const node of others) await node.join(seed)
    await cluster.waitForRunning()
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return cluster
}

/**
 * The cluster view of `nodes` (which may still grow: the array is read on every call), for
 * clusters this module does not start itself, e.g. partition-cluster.ts.
 */
export function clusterOf(nodes: RabbitNode[]): RabbitCluster {
  const cluster: RabbitCluster = {
    nodes,
    get urls() {
      return nodes.map((node) => node.url)
    },
    async ctl(...args) {
      let lastError: unknown
      for (const node of nodes) {
        try {
          return await node.ctl(...args)
        } catch (error) {
          lastError = error
        }
      }
      throw lastError
    },
    async runningNodes() {
      const status = JSON.parse(await cluster.ctl('cluster_status', '--formatter', 'json')) as {
        running_nodes?: string[]
      }
      return status.running_nodes ?? []
    },
    async waitForRunning(count = nodes.length, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const running = await cluster.runningNodes().catch(() => [])
        if (running.length >= count) return
        if (Date.now() > deadline) {
          throw new Error(`only ${running.length} of ${count} nodes running after ${timeoutMs}ms`)
        }
        await new Promise((resolve) => setTimeout(resolve, 500))
      }
    },
    async leaderOf(vhost, queue) {
      const rows = JSON.parse(
        await cluster.ctl('list_queues', '-p', vhost, 'name', 'leader', '--formatter', 'json'),
      ) as { name: string; leader: string }[]
      const leader = rows.find((row) => row.name === queue)?.leader
      const node = nodes.find((n) => n.name === leader)
      if (!node) throw new Error(`no leader found for ${queue} in ${vhost} (got ${leader})`)
      return node
    },
    async stop() {
      await Promise.allSettled(nodes.map((node) => node.stop()))
    },
  }
  return cluster
}
