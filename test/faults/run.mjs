#!/usr/bin/env node
// `pnpm test:faults [--ci] [--broker 3.10|4.3] [vitest options]`: runs the fault suite
// (test/faults) with vitest. --ci runs the single-node subset that fits in CI; without it every
// scenario runs, the 3-node cluster ones included. --broker picks the RabbitMQ of the suite's own
// throwaway nodes: 3.10 (default) runs the machine's binaries, 4.3 chrooted RabbitMQ 4.3 nodes of
// scripts/rabbitmq.mjs (root folder WARREN_RABBITMQ_DIR; needs root, see test/faults/README.md). The table
// is printed at the end and written to reports/faults.json. Afterwards it checks that no RabbitMQ
// node or data folder of the suite was left behind.
import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
const CI_FILES = [
  'fault-proxy.test.ts',
  'single-node.test.ts',
  'dead-letter-reading.test.ts',
  'dead-letter-store.test.ts',
]
// Node names of the suite start with these (see the test files and test/support/cluster.ts).
const NODE_PREFIX = 'warren-f'
// This run's mark: the 3.10 VMs and consumer processes inherit it, the partition scenario's
// namespaces and links carry it in their names (partition-cluster.ts), so a fault run that someone
// else started on this machine meanwhile is not taken for our leftovers, nor its network removed.
const RUN = randomBytes(2).toString('hex')
const NETWORK_PREFIX = `wf${RUN}`

const args = process.argv.slice(2)
const ci = args.includes('--ci')
const brokerAt = args.indexOf('--broker')
const broker = brokerAt === -1 ? '3.10' : args[brokerAt + 1]
if (broker !== '3.10' && broker !== '4.3') {
  console.error(`[faults] --broker takes 3.10 or 4.3, not ${broker}`)
  process.exit(2)
}
// Without --broker, brokerAt + 1 is 0: the first argument (a file filter) is not --broker's value.
const rest = args.filter(
  (arg, i) => arg !== '--ci' && (brokerAt === -1 || (i !== brokerAt && i !== brokerAt + 1)),
)
const rabbitmqDir = resolve(process.env.WARREN_RABBITMQ_DIR ?? join(root, '.cache/rabbitmq-4.3'))
// The partition scenario's nodes are RabbitMQ 4.3 ones in network namespaces: the 4.3 suite's.
const files = ci ? CI_FILES : broker === '4.3' ? [] : ['--exclude', '**/partition.test.ts']

// What was there before this run (another run's nodes and folders) is not this run's leftover.
const before = new Set([...leftoverNodes(), ...leftoverFolders()])
const startedAt = Date.now()
const code = await new Promise((resolve) => {
  const child = spawn(
    join(root, 'node_modules/.bin/vitest'),
    ['run', '--config', join(here, 'vitest.config.ts'), ...files, ...rest],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        WARREN_FAULTS_BROKER: broker,
        WARREN_RABBITMQ_DIR: rabbitmqDir,
        WARREN_FAULTS_RUN: RUN,
        // Scenarios that scale take fewer messages in the CI subset.
        WARREN_FAULTS_CI: ci ? '1' : '0',
      },
    },
  )
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
})
console.log(
  `[faults] ${ci ? 'CI subset' : 'full suite'} on RabbitMQ ${broker} took ${Math.round((Date.now() - startedAt) / 1000)}s`,
)

// A stopped VM's helper processes take a moment to exit: look again before complaining.
let leftovers = []
for (let attempt = 0; attempt < 20; attempt++) {
  leftovers = [...leftoverNodes(), ...leftoverFolders()]
    .filter((leftover) => !before.has(leftover))
    .concat(leftoverNetwork())
  if (leftovers.length === 0) break
  await new Promise((resolve) => setTimeout(resolve, 500))
}
for (const leftover of leftovers) console.error(`[faults] left behind: ${leftover}`)
// Reported above as a failure; removed all the same, so a crashed run does not leave this
// machine's routing table with the suite's bridges and namespaces in it.
removeNetwork()
process.exit(leftovers.length > 0 && code === 0 ? 1 : code)

/** Erlang VMs and consumer processes of the suite still running (known by their environment). */
function leftoverNodes() {
  const found = []
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    let environ
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'utf8')
    } catch {
      continue
    }
    const entries = environ.split('\0')
    const run = entries.find((entry) => entry.startsWith('WARREN_FAULTS_RUN='))
    if (run && run !== `WARREN_FAULTS_RUN=${RUN}`) continue
    const name = entries.find((entry) => entry.startsWith(`RABBITMQ_NODENAME=${NODE_PREFIX}`))
    if (name) found.push(`process ${pid} (${name.slice('RABBITMQ_NODENAME='.length)})`)
    else if (entries.some((entry) => entry.startsWith('FAULTS_OUT='))) {
      found.push(`process ${pid} (a consumer process of the suite)`)
    }
  }
  return found
}

/** Data folders of the suite's nodes, consumer processes and admin API still on disk. */
function leftoverFolders() {
  const found = readdirSync(tmpdir())
    .filter((entry) => entry.startsWith('warren-faults-'))
    .map((entry) => join(tmpdir(), entry))
  for (const entry of readdirSync(tmpdir()).filter((e) => e.startsWith('warren-rabbit-'))) {
    let nodes
    try {
      nodes = readdirSync(join(tmpdir(), entry, 'mnesia'))
    } catch {
      continue
    }
    if (nodes.some((n) => n.startsWith(NODE_PREFIX))) found.push(join(tmpdir(), entry))
  }
  // The 4.3 nodes' data, inside the root folder.
  const nodesDir = join(rabbitmqDir, 'var/lib/warren')
  for (const entry of existsSync(nodesDir) ? readdirSync(nodesDir) : []) {
    if (entry.startsWith(NODE_PREFIX)) found.push(join(nodesDir, entry))
  }
  return found
}

/** Network namespaces and links of the suite still there (only root can make them). */
function leftoverNetwork() {
  const namespaces = ipLines(['netns', 'list']).map((line) => line.split(' ')[0])
  const links = ipLines(['-br', 'link']).map((line) => line.split(/[\s@]/)[0])
  return [
    ...namespaces
      .filter((ns) => ns.startsWith(NETWORK_PREFIX))
      .map((ns) => `network namespace ${ns}`),
    ...links
      .filter((link) => link.startsWith(NETWORK_PREFIX))
      .map((link) => `network link ${link}`),
  ]
}

function removeNetwork() {
  for (const ns of ipLines(['netns', 'list']).map((line) => line.split(' ')[0])) {
    if (!ns.startsWith(NETWORK_PREFIX)) continue
    // Whatever still runs in it (an epmd) would keep the namespace alive after `ip netns delete`.
    for (const pid of ipLines(['netns', 'pids', ns])) {
      try {
        process.kill(Number(pid), 'SIGKILL')
      } catch {
        // gone meanwhile
      }
    }
    ipLines(['netns', 'delete', ns])
  }
  for (const link of ipLines(['-br', 'link']).map((line) => line.split(/[\s@]/)[0])) {
    if (link.startsWith(NETWORK_PREFIX)) ipLines(['link', 'delete', link])
  }
}

/** Lines `ip` prints, none when it fails (no iproute2, not root). */
function ipLines(args) {
  try {
    return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')
      .filter(Boolean)
  } catch {
    return []
  }
}
