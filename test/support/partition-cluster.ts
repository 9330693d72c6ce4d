/**
 * A 3-node RabbitMQ 4.3 cluster whose nodes can be cut off the network for real: each node is a
 * chrooted 4.3 node (rabbit-node-43.ts) in a network namespace of its own, linked by a veth pair to
 * a bridge on the host, which has an address on the same subnet so the test process reaches every
 * node by its namespace's address. `cut(node)` sets the host end of the node's link down: the node
 * loses its peers and its clients alike, as a machine whose switch port died. `heal(node)` sets it
 * up again. Needs root (ip netns, chroot). `stop()` stops the nodes, ends whatever still runs in
 * the namespaces (the epmd each node started) and deletes namespaces, links and bridge, also after
 * a failed start. Names: namespaces `wf<run><id>-<n>`, links `wf<run><id>h<n>`, bridge
 * `wf<run><id>b` (run.mjs looks for its run's leftovers by `wf<run>`).
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { promisify } from 'node:util'
import { clusterOf, type RabbitCluster } from './cluster.js'
import { startRabbitNode43 } from './rabbit-node-43.js'
import { waitForAmqp, type RabbitNode } from './rabbit-node.js'

const run = promisify(execFile)
const ip = (...args: string[]) => run('ip', args, { timeout: 30_000 })

/**
 * What run.mjs's leftover check looks for among namespaces and links: `wf` and the run's mark
 * (WARREN_FAULTS_RUN, 4 hex digits), so that a link name stays within Linux's 15 characters.
 */
const NETWORK_PREFIX = `wf${(process.env.WARREN_FAULTS_RUN ?? '').slice(0, 4)}`

export interface PartitionCluster extends RabbitCluster {
  /** Sets the node's link down: it can reach neither its peers nor the host. */
  cut(node: RabbitNode): Promise<void>
  /** Sets the node's link up again. */
  heal(node: RabbitNode): Promise<void>
}

export interface PartitionClusterOptions {
  /** Node names are `<prefix><n>@<address>`. */
  prefix: string
  /** Seconds until a node counts a silent peer as down. @default 10 */
  netTicktime?: number
  /** Lines appended to every node's rabbitmq.conf. @default [] */
  config?: string[]
}

export async function startPartitionCluster(
  options: PartitionClusterOptions,
): Promise<PartitionCluster> {
  const id = randomBytes(3).toString('hex')
  // A /24 of 10.213.0.0/16 per cluster: nothing else on this machine uses that range.
  const subnet = `10.213.${randomBytes(1)[0] ?? 0}`
  const bridge = `${NETWORK_PREFIX}${id}b`
  const namespaces: string[] = []
  const hostLinks = new Map<RabbitNode, string>()
  const nodes: RabbitNode[] = []
  const base = clusterOf(nodes)

  const teardown = async () => {
    await base.stop()
    for (const netns of namespaces) {
      // A namespace lives on while a process runs in it: the epmd its node started would stay.
      const { stdout } = await ip('netns', 'pids', netns).catch(() => ({ stdout: '' }))
      for (const pid of String(stdout).split('\n').filter(Boolean)) {
        try {
          process.kill(Number(pid), 'SIGKILL')
        } catch {
          // gone meanwhile
        }
      }
      // Deleting the namespace deletes the veth pair whose one end is in it.
      await ip('netns', 'delete', netns).catch(() => {})
    }
    await ip('link', 'delete', bridge).catch(() => {})
  }

  const cluster: PartitionCluster = {
    ...base,
    nodes,
    get urls() {
      return nodes.map((node) => node.url)
    },
    async cut(node) {
      await ip('link', 'set', linkOf(node), 'down')
    },
    async heal(node) {
      await ip('link', 'set', linkOf(node), 'up')
    },
    stop: teardown,
  }
  const linkOf = (node: RabbitNode) => {
    const link = hostLinks.get(node)
    if (!link) throw new Error(`${node.name} is not a node of this cluster`)
    return link
  }

  try {
    await ip('link', 'add', bridge, 'type', 'bridge')
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge)
    await ip('link', 'set', bridge, 'up')
    const addresses: string[] = []
    for (let n = 1; n <= 3; n++) {
      const netns = `${NETWORK_PREFIX}${id}-${n}`
      const hostEnd = `${NETWORK_PREFIX}${id}h${n}`
      const nodeEnd = `${NETWORK_PREFIX}${id}n${n}`
      const address = `${subnet}.${10 + n}`
      await ip('netns', 'add', netns)
      namespaces.push(netns)
      await ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nodeEnd)
      await ip('link', 'set', nodeEnd, 'netns', netns)
      await ip('link', 'set', hostEnd, 'master', bridge, 'up')
      await ip('-n', netns, 'addr', 'add', `${address}/24`, 'dev', nodeEnd)
      await ip('-n', netns, 'link', 'set', nodeEnd, 'up')
      // The node's CLI and epmd talk to it over its namespace's loopback.
      await ip('-n', netns, 'link', 'set', 'lo', 'up')
      addresses.push(address)
    }
    // Every namespace has ports of its own: the usual ones serve each node.
    const ports = { port: 5672, distPort: 25672, managementPort: 15672, prometheusPort: 15692 }
    const started = await Promise.allSettled(
      addresses.map((address, i) =>
        startRabbitNode43(
          `${options.prefix}${i + 1}@${address}`,
          ports,
          { ...(options.config && { config: options.config }) },
          waitForAmqp,
          {
            netns: namespaces[i] as string,
            ip: address,
            netTicktime: options.netTicktime ?? 10,
          },
        ),
      ),
    )
    started.forEach((result, i) => {
      if (result.status !== 'fulfilled') return
      nodes.push(result.value)
      hostLinks.set(result.value, `${NETWORK_PREFIX}${id}h${i + 1}`)
    })
    const failed = started.find((result) => result.status === 'rejected')
    if (failed) throw failed.reason
    const [seed, ...others] = nodes as [RabbitNode, ...RabbitNode[]]
    for (const node of others) await node.join(seed)
    await cluster.waitForRunning()
  } catch (error) {
    await teardown()
    throw error
  }
  return cluster
}
