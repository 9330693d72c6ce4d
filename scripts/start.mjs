#!/usr/bin/env node
// `pnpm start`: broker bootstrap, console build when missing, then the admin API (serving the
// console) and, unless WARREN_DEMO=0, the demo workload. Stops everything on Ctrl-C.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { redactUrls } from '../packages/admin-api/src/security/redact-url.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const children = new Set()

/** Copies a child's output line by line, a URL's password hidden even where a child forgot. */
function relay(from, to) {
  createInterface({ input: from, crlfDelay: Infinity }).on('line', (line) =>
    to.write(`${redactUrls(line)}\n`),
  )
}

function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: ['inherit', 'pipe', 'pipe'], ...options })
  relay(child.stdout, process.stdout)
  relay(child.stderr, process.stderr)
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}

function exitCode(child) {
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
  )
}

async function step(label, command, args) {
  const code = await exitCode(run(command, args))
  if (code !== 0) {
    console.error(`[start] ${label} failed (exit ${code})`)
    process.exit(code)
  }
}

function stopAll(signal = 'SIGTERM') {
  for (const child of children) child.kill(signal)
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopAll(signal)
    setTimeout(() => process.exit(130), 5000).unref()
  })
}

await step('broker bootstrap', process.execPath, [join(root, 'scripts/broker.mjs')])

const uiDir = process.env.WARREN_UI_DIR ?? join(root, 'packages/admin-ui/dist')
if (!existsSync(join(uiDir, 'index.html'))) {
  console.log('[start] building the console (first run)')
  await step('console build', 'pnpm', ['--filter', '@warren/admin-ui', 'build'])
}

const tsx = join(root, 'packages/admin-api/node_modules/.bin/tsx')
const server = run(tsx, [join(root, 'packages/admin-api/src/main.ts')])

if (process.env.WARREN_DEMO !== '0') {
  const demo = run(tsx, [join(root, 'packages/demo/src/main.ts')])
  demo.once('exit', (code) => {
    if (code)
      console.error(`[start] the demo workload stopped (exit ${code}); the console keeps running`)
  })
}

const code = await exitCode(server)
stopAll()
process.exit(code)
