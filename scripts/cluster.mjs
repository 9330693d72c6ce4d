#!/usr/bin/env node
// A local RabbitMQ cluster for trying Warren against several nodes (issue 7):
//
//   node scripts/cluster.mjs start [--nodes 3] [--base-port 5711] [--no-management]
//   node scripts/cluster.mjs status
//   node scripts/cluster.mjs stop
//
// Node n is `warren-cluster-<n>@localhost` with AMQP on <base-port>+n-1 (5711, 5712, 5713), the
// management API on 10000 more (15711...) and Erlang distribution on 20000 more (25711...). Data
// and logs live under $WARREN_CLUSTER_DIR (default <tmpdir>/warren-cluster), removed by `stop`.
// The binaries in /usr/lib/rabbitmq/bin run as the current user with that user's Erlang cookie,
// which avoids the cookie mismatch of the /usr/sbin wrappers (they switch to the rabbitmq user).
// The shared broker on 5672 is never touched.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = process.env.RABBITMQ_BIN_DIR ?? '/usr/lib/rabbitmq/bin'
const ROOT = process.env.WARREN_CLUSTER_DIR ?? join(tmpdir(), 'warren-cluster')
const STATE = join(ROOT, 'state.json')

const log = (message) => console.log(`[cluster] ${message}`)

const [command, ...rest] = process.argv.slice(2)
const option = (name, fallback) => {
  const index = rest.indexOf(`--${name}`)
  return index === -1 ? fallback : rest[index + 1]
}

try {
  if (command === 'start') await start()
  else if (command === 'stop') await stop()
  else if (command === 'status') await status()
  else {
    console.log('usage: node scripts/cluster.mjs start|stop|status')
    process.exitCode = 2
  }
} catch (error) {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}

async function start() {
  if (existsSync(STATE)) {
    const nodes = await loadState()
    if ((await Promise.all(nodes.map((node) => probeAmqp(node.port)))).some(Boolean)) {
      log(`already running (state in ${STATE}); \`stop\` it first`)
      await status()
      return
    }
    await rm(ROOT, { recursive: true, force: true })
  }
  const count = Number(option('nodes', 3))
  const basePort = Number(option('base-port', 5711))
  const management = !rest.includes('--no-management')
  const nodes = Array.from({ length: count }, (_, i) => ({
    name: `warren-cluster-${i + 1}@localhost`,
    port: basePort + i,
    managementPort: management ? basePort + i + 10_000 : undefined,
    distPort: basePort + i + 20_000,
    dir: join(ROOT, `node-${i + 1}`),
  }))
  for (const node of nodes) {
    for (const port of [node.port, node.managementPort, node.distPort].filter(Boolean)) {
      if (!(await portFree(port))) throw new Error(`port ${port} is taken (try --base-port)`)
    }
  }
  await mkdir(ROOT, { recursive: true })
  await writeFile(STATE, JSON.stringify({ nodes }, null, 2))
  try {
    log(`starting ${count} nodes under ${ROOT}`)
    await Promise.all(nodes.map((node) => boot(node)))
    const [seed, ...others] = nodes
    for (const node of others) {
      log(`${node.name} joins ${seed.name}`)
      await ctl(node, 'stop_app')
      await ctl(node, 'join_cluster', seed.name)
      await ctl(node, 'start_app')
      await waitForAmqp(node.port, 120_000)
    }
  } catch (error) {
    log('start failed: stopping what started')
    await stop()
    throw error
  }
  await status()
}

async function stop() {
  if (!existsSync(STATE)) {
    log('no cluster to stop')
    return
  }
  const nodes = await loadState()
  await Promise.all(
    nodes.map(async (node) => {
      const pid = await nodePid(node)
      // A frozen VM (SIGSTOP) cannot answer the CLI: wake it first.
      if (pid) signal(pid, 'SIGCONT')
      await ctl(node, 'stop').catch(() => {})
      if (pid && !(await exited(pid, 15_000))) {
        signal(pid, 'SIGKILL')
        await exited(pid, 15_000)
      }
      log(`${node.name} stopped`)
    }),
  )
  await rm(ROOT, { recursive: true, force: true })
  log(`removed ${ROOT}`)
}

async function status() {
  if (!existsSync(STATE)) {
    log('not started (node scripts/cluster.mjs start)')
    process.exitCode = 1
    return
  }
  const nodes = await loadState()
  let clusterView
  for (const node of nodes) {
    const up = await probeAmqp(node.port)
    const management = node.managementPort
      ? `  management http://127.0.0.1:${node.managementPort}`
      : ''
    console.log(`${up ? 'up  ' : 'down'}  ${node.name}  amqp://127.0.0.1:${node.port}${management}`)
    if (up && !clusterView) {
      clusterView = JSON.parse(
        await ctl(node, 'cluster_status', '--formatter', 'json').catch(() => '{}'),
      )
    }
  }
  if (clusterView?.running_nodes) {
    console.log(`running nodes: ${clusterView.running_nodes.sort().join(', ')}`)
  }
  const urls = nodes.map((node) => `amqp://guest:guest@127.0.0.1:${node.port}`).join(',')
  console.log(`WARREN_AMQP_URL=${urls}`)
  if (nodes[0]?.managementPort) {
    console.log(`WARREN_MANAGEMENT_URL=http://127.0.0.1:${nodes[0].managementPort}`)
  }
}

async function loadState() {
  return JSON.parse(await readFile(STATE, 'utf8')).nodes
}

/** The environment that makes the RabbitMQ scripts run this node and only this node. */
function nodeEnv(node) {
  return {
    ...process.env,
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(node.port),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(node.dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(node.dir, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(node.dir, 'advanced.config'),
    // Our own env file, so the system's (which names the shared node) is not read.
    RABBITMQ_CONF_ENV_FILE: join(node.dir, 'rabbitmq-env.conf'),
    ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  }
}

async function boot(node) {
  await mkdir(node.dir, { recursive: true })
  const config = [
    `listeners.tcp.default = 127.0.0.1:${node.port}`,
    ...(node.managementPort
      ? [`management.tcp.port = ${node.managementPort}`, 'management.tcp.ip = 127.0.0.1']
      : []),
  ]
  await writeFile(join(node.dir, 'rabbitmq.conf'), `${config.join('\n')}\n`)
  await writeFile(join(node.dir, 'advanced.config'), '[].\n')
  const plugins = node.managementPort ? 'rabbitmq_management' : ''
  await writeFile(join(node.dir, 'enabled_plugins'), `[${plugins}].\n`)
  await writeFile(join(node.dir, 'rabbitmq-env.conf'), 'ERL_EPMD_ADDRESS=127.0.0.1\n')
  await run(join(BIN, 'rabbitmq-server'), ['-detached'], { env: nodeEnv(node), timeout: 120_000 })
  await waitForAmqp(node.port, 120_000)
  log(`${node.name} up on ${node.port}`)
}

async function ctl(node, ...args) {
  const { stdout } = await run(join(BIN, 'rabbitmqctl'), ['-n', node.name, ...args], {
    env: nodeEnv(node),
    timeout: 120_000,
  })
  return String(stdout)
}

/** The node's Erlang VM pid, when its pid file names a live process of this node. */
async function nodePid(node) {
  const pid = Number((await readFile(join(node.dir, 'rabbit.pid'), 'utf8').catch(() => '')).trim())
  if (!(pid > 0)) return undefined
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '')
  return environ.split('\0').includes(`RABBITMQ_NODENAME=${node.name}`) ? pid : undefined
}

function signal(pid, name) {
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}

async function exited(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    // A zombie (nobody reaps orphans in some containers) has exited too.
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
    if (stat === '' || /^\d+ \(.*\) Z/.test(stat)) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

async function waitForAmqp(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs
  while (!(await probeAmqp(port))) {
    if (Date.now() > deadline) throw new Error(`no AMQP on 127.0.0.1:${port} after ${timeoutMs}ms`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** True when the port answers the AMQP 0-9-1 header with connection.start. */
function probeAmqp(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(1000, () => done(false))
    socket.on('error', () => done(false))
    socket.on('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))
    socket.on('data', (data) => done(data[0] === 1))
  })
}
