#!/usr/bin/env node
// `pnpm test:faults [--ci] [vitest options]`: runs the fault suite (test/faults) with vitest.
// --ci runs the single-node subset that fits in CI; without it every scenario runs, the 3-node
// cluster ones included. The table is printed at the end and written to reports/faults.json.
// Afterwards it checks that no RabbitMQ node or data folder of the suite was left behind.
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '../..')
const CI_FILES = ['fault-proxy.test.ts', 'single-node.test.ts', 'dead-letter-reading.test.ts']
// Node names of the suite start with these (see the test files and test/support/cluster.ts).
const NODE_PREFIX = 'warren-f'

const args = process.argv.slice(2)
const ci = args.includes('--ci')
const rest = args.filter((arg) => arg !== '--ci')
const files = ci ? CI_FILES : []

const startedAt = Date.now()
const code = await new Promise((resolve) => {
  const child = spawn(
    join(root, 'node_modules/.bin/vitest'),
    ['run', '--config', join(here, 'vitest.config.ts'), ...files, ...rest],
    { cwd: root, stdio: 'inherit' },
  )
  const forward = (signal) => child.kill(signal)
  process.on('SIGINT', forward)
  process.on('SIGTERM', forward)
  child.on('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)))
})
console.log(
  `[faults] ${ci ? 'CI subset' : 'full suite'} took ${Math.round((Date.now() - startedAt) / 1000)}s`,
)

// A stopped VM's helper processes take a moment to exit: look again before complaining.
let leftovers = []
for (let attempt = 0; attempt < 20; attempt++) {
  leftovers = [...leftoverNodes(), ...leftoverFolders()]
  if (leftovers.length === 0) break
  await new Promise((resolve) => setTimeout(resolve, 500))
}
for (const leftover of leftovers) console.error(`[faults] left behind: ${leftover}`)
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
  return found
}
