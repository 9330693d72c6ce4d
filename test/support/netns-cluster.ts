/**
 * A 3-node RabbitMQ 4.3 cluster whose nodes are hosts of their own: each runs in a network
 * namespace (`ip netns`), linked to a bridge on this machine by a veth pair, at an address of a
 * private /24. Cutting a node's link (`cut(node)`) is a real network partition: the node, its
 * peers and its clients stop hearing each other, with no process stopped. Needs root and the
 * RabbitMQ 4.3 root folder of scripts/rabbitmq.mjs. `stop()` removes nodes, links and namespaces.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('../../scripts/rabbitmq.mjs', import.meta.url))
const AMQP_PORT = 5682 // rabbitmq.mjs's default; each namespace has its own ports

export interface NetnsNode {
  /** Short name, as rabbitmq.mjs knows it. */
  readonly short: string
  /** Erlang node name, `<short>@<ip>`. */
  readonly name: string
  readonly ip: string
  /** `amqp://guest:guest@<ip>:5682` */
  readonly url: string
  /** rabbitmqctl of the node, run in its namespace. */
  ctl(...args: string[]): Promise<string>
}

export interface NetnsCluster {
  readonly nodes: readonly NetnsNode[]
  /** rabbitmqctl against the first node that answers. */
  ctl(...args: string[]): Promise<string>
  /** The node's link goes down: a partition. */
  cut(node: NetnsNode): Promise<void>
  /** The node's link comes up again. */
  restore(node: NetnsNode): Promise<void>
  /** Nodes `node` sees running (its own view, which a partition splits). */
  runningAccordingTo(node: NetnsNode): Promise<string[]>
  stop(): Promise<void>
}

const ip = (...args: string[]) => run('ip', args)

/** Starts the nodes in namespaces of their own, joins them and resolves once all three run. */
export async function startNetnsCluster(
  options: { prefix?: string; config?: string[] } = {},
): Promise<NetnsCluster> {
  const id = randomBytes(2).toString('hex')
  const prefix = options.prefix ?? `warren-fp${id}-`
  // Interface names are at most 15 characters.
  const tag = `wfp${id}`
  const subnet = `10.${77 + (parseInt(id, 16) % 100)}.${parseInt(id.slice(2), 16) % 250}`
  const bridge = `${tag}br`
  const made = { bridge: false, namespaces: [] as string[], nodes: [] as NetnsNode[] }
  const script = (...args: string[]) =>
    run(process.execPath, [SCRIPT, ...args], { env: process.env, timeout: 180_000 })

  const cluster: NetnsCluster = {
    nodes: made.nodes,
    async ctl(...args) {
      let lastError: unknown
      for (const node of made.nodes) {
        try {
          return await node.ctl(...args)
        } catch (error) {
          lastError = error
        }
      }
      throw lastError
    },
    cut: (node) => ip('link', 'set', hostEnd(node), 'down').then(() => undefined),
    restore: (node) => ip('link', 'set', hostEnd(node), 'up').then(() => undefined),
    async runningAccordingTo(node) {
      const status = JSON.parse(await node.ctl('cluster_status', '--formatter', 'json')) as {
        running_nodes?: string[]
      }
      return status.running_nodes ?? []
    },
    async stop() {
      await Promise.allSettled(
        made.nodes.map((node) => script('stop', '--name', node.short, '--purge')),
      )
      for (const ns of made.namespaces) await ip('netns', 'del', ns).catch(() => {})
      if (made.bridge) await ip('link', 'del', bridge).catch(() => {})
    },
  }
  const hostEnd = (node: NetnsNode) => `${tag}h${made.nodes.indexOf(node) + 1}`

  try {
    await ip('link', 'add', bridge, 'type', 'bridge')
    made.bridge = true
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge)
    await ip('link', 'set', bridge, 'up')
    for (let i = 1; i <= 3; i++) {
      const ns = `${tag}n${i}`
      const address = `${subnet}.${10 + i}`
      await ip('netns', 'add', ns)
      made.namespaces.push(ns)
      await ip('link', 'add', `${tag}h${i}`, 'type', 'veth', 'peer', 'name', `${tag}p${i}`)
      await ip('link', 'set', `${tag}p${i}`, 'netns', ns)
      await ip('link', 'set', `${tag}h${i}`, 'master', bridge)
      await ip('link', 'set', `${tag}h${i}`, 'up')
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', `${tag}p${i}`)
      await ip('-n', ns, 'link', 'set', `${tag}p${i}`, 'up')
      await ip('-n', ns, 'link', 'set', 'lo', 'up')
      const short = `${prefix}${i}`
      made.nodes.push({
        short,
        name: `${short}@${address}`,
        ip: address,
        url: `amqp://guest:guest@${address}:${AMQP_PORT}`,
        ctl: async (...args) =>
          String((await script('ctl', '--name', short, '--', ...args)).stdout),
      })
    }
    // Booting in parallel: most of a boot is waiting.
    await Promise.all(
      made.nodes.map((node, i) =>
        script(
          'start',
          '--name',
          node.short,
          '--netns',
          `${tag}n${i + 1}`,
          '--ip',
          node.ip,
          // A silent peer counts as down after about this long (Erlang's default is 60 s).
          '--net-ticktime',
          '10',
          '--config',
          'deprecated_features.permit.transient_nonexcl_queues = false',
          ...(options.config ?? []).flatMap((line) => ['--config', line]),
        ),
      ),
    )
    const [seed, ...others] = made.nodes as [NetnsNode, ...NetnsNode[]]
    for (const node of others) {
      await node.ctl('stop_app')
      await node.ctl('join_cluster', seed.name)
      await node.ctl('start_app')
    }
    await waitForRunning(cluster, seed, 3)
  } catch (error) {
    await cluster.stop()
    throw error
  }
  return cluster
}

/** Resolves once `node` sees `count` nodes running. */
export async function waitForRunning(
  cluster: NetnsCluster,
  node: NetnsNode,
  count: number,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const running = await cluster.runningAccordingTo(node).catch(() => [])
    if (running.length === count) return
    if (Date.now() > deadline) {
      throw new Error(`${node.name} sees ${running.length} of ${count} nodes after ${timeoutMs}ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
