#!/usr/bin/env node
// `pnpm test`: the suite on every broker Warren supports, one pass per broker.
// Over 300 lines: the passes, the 4.3 nodes they need and the summary share one table (PASSES)
// and its counting; split, each part would need the others' shapes.
//
//   1. the machine's RabbitMQ (3.10 here) with its management plugin on (broker.mjs);
//   2. RabbitMQ 4.3 nodes beside it (rabbitmq.mjs), deprecated features denied:
//      - warren43: every one but management_metrics_collection, which 4.3 still permits by
//        default and without which the management API has no counts: the broker most 4.x users
//        run, and the one the SDK's "uses no deprecated feature" is proven on (the SDK never reads
//        management statistics);
//      - warren43s: that one denied too, RabbitMQ's announced direction (the admin API then
//        counts with passive declares and reads rates from the Prometheus plugin);
//   3. type check, lint and the pack-and-install check (scripts/pack-install.mjs), once;
//   4. per pass, with the pass's broker in the environment that @warren/test-kit and the admin
//      API read: vitest, the fault suite's CI subset and the console's Playwright specs.
//      3.10 and 4.3 run all of it. 4.3-no-stats runs what reads the management API (the admin
//      API, the cross-package tests, the console): what the missing statistics can change.
//
// Every pass runs even when an earlier one failed; the end prints one line per pass and broker
// (tests passed, failed, fault scenarios and confirmed messages lost) and exits non-zero if
// anything failed. Reports: reports/test/<pass>/{vitest,faults,e2e}.json.
//
// Where a 4.3 node cannot be made (not root, not Debian: rabbitmq.mjs exits 3), the 4.3 passes
// are reported as not run, with the reason; with CI=true that is a failure.
//
// Options: --pass <id> (repeatable) runs only those passes: 3.10, 4.3, 4.3-no-stats.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const rabbitmq = join(root, 'scripts/rabbitmq.mjs')
const reportsDir = join(root, 'reports/test')
const UNSUPPORTED = 3
const ci = process.env.CI === 'true' || process.env.CI === '1'

const DENY_ALL_BUT_METRICS = ['transient_nonexcl_queues']
const DENY_ALL = [...DENY_ALL_BUT_METRICS, 'management_metrics_collection']

/** The 4.3 nodes of the passes; ports beside the machine's broker (5672, 15672, 15692). */
const NODES = {
  warren43: {
    amqp: 5682,
    management: 15682,
    dist: 25682,
    prometheus: 15693,
    deny: DENY_ALL_BUT_METRICS,
  },
  warren43s: { amqp: 5684, management: 15684, dist: 25684, prometheus: 15694, deny: DENY_ALL },
}

const node43Env = (name) => {
  const node = NODES[name]
  return {
    WARREN_AMQP_URL: `amqp://guest:guest@127.0.0.1:${node.amqp}`,
    WARREN_MANAGEMENT_URL: `http://127.0.0.1:${node.management}`,
    WARREN_PROMETHEUS_URL: `http://127.0.0.1:${node.prometheus}`,
    WARREN_RABBITMQCTL: `${process.execPath} ${rabbitmq} ctl --name ${name}`,
  }
}

// The console's specs on the broker most users run (4.3) in full: the 100,000 dead letters of the
// store spec and the accessibility scan; the other passes take 20,000 and leave the scan out.
const E2E_LIGHTER = { WARREN_E2E_STORE_DEAD_LETTERS: '20000', WARREN_E2E_CONSOLE_ONLY_ONCE: '1' }

/**
 * `vitest`: arguments for `vitest run` (none: every project); `faults`: arguments for the fault
 * suite's CI subset, null where the pass runs none (its scenarios start nodes of their own, so a
 * pass's broker settings do not reach them); `e2e`: more environment of its Playwright run.
 */

const PASSES = [
  { id: '3.10', node: null, env: {}, e2e: E2E_LIGHTER, vitest: [], faults: ['--broker', '3.10'] },
  {
    id: '4.3',
    node: 'warren43',
    env: node43Env('warren43'),
    e2e: {},
    vitest: [],
    faults: ['--broker', '4.3'],
  },
  {
    id: '4.3-no-stats',
    node: 'warren43s',
    env: node43Env('warren43s'),
    e2e: E2E_LIGHTER,
    vitest: ['--project', 'admin-api', '--project', 'integration', '--project', 'test-kit'],
    faults: null,
  },
]

const log = (message) => console.log(`[test] ${message}`)

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, ...env },
    })
    const forward = (signal) => child.kill(signal)
    process.on('SIGINT', forward)
    process.on('SIGTERM', forward)
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward)
      process.off('SIGTERM', forward)
      resolve(code ?? (signal ? 1 : 0))
    })
  })
}

function capture(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk) => (out += chunk))
    child.on('exit', (code) => resolve({ code: code ?? 1, out }))
  })
}

const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch {
    return null
  }
}

/** The deprecated features a running 4.3 node permits, by its own answer. */
async function permittedFeatures(name) {
  const { code, out } = await capture(process.execPath, [
    rabbitmq,
    'ctl',
    '--name',
    name,
    '--',
    'list_deprecated_features',
    '--formatter',
    'json',
  ])
  if (code !== 0) return null
  const start = out.indexOf('[')
  const features = JSON.parse(out.slice(start))
  return features.filter((feature) => feature.state !== 'denied').map((feature) => feature.name)
}

/** Starts a pass's 4.3 node; one left running with other settings is started again. */
async function startNode(name) {
  const node = NODES[name]
  const args = [
    rabbitmq,
    'start',
    '--name',
    name,
    '--amqp-port',
    String(node.amqp),
    '--management-port',
    String(node.management),
    '--dist-port',
    String(node.dist),
    '--prometheus-port',
    String(node.prometheus),
    ...node.deny.flatMap((feature) => [
      '--config',
      `deprecated_features.permit.${feature} = false`,
    ]),
  ]
  let code = await run(process.execPath, args)
  if (code !== 0) return code
  const permitted = (await permittedFeatures(name)) ?? []
  const wrong = node.deny.filter((feature) => permitted.includes(feature))
  if (wrong.length === 0) return 0
  log(`${name} runs with ${wrong.join(', ')} permitted: starting it again denied`)
  code = await run(process.execPath, [rabbitmq, 'stop', '--name', name])
  return code === 0 ? run(process.execPath, args) : code
}

/** The RabbitMQ version a pass's broker reports through its management API. */
async function versionOf(env) {
  const base =
    env.WARREN_MANAGEMENT_URL ?? process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672'
  const user = process.env.WARREN_MANAGEMENT_USER ?? 'guest'
  const password = process.env.WARREN_MANAGEMENT_PASSWORD ?? 'guest'
  try {
    const response = await fetch(`${base}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    })
    return (await response.json()).rabbitmq_version ?? '?'
  } catch {
    return '?'
  }
}

function vitestCounts(file) {
  const report = readJson(file)
  if (!report) return { passed: 0, failed: 0, note: 'no report' }
  // A file that fails before its tests run (an import, a beforeAll) has no failed test of its own.
  const brokenFiles = (report.testResults ?? []).filter(
    (file) =>
      file.status === 'failed' && file.assertionResults.every((test) => test.status !== 'failed'),
  ).length
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles }
}

function e2eCounts(file) {
  const stats = readJson(file)?.stats
  if (!stats) return { passed: 0, failed: 0, note: 'no report' }
  return { passed: stats.expected + stats.flaky, failed: stats.unexpected }
}

function faultCounts(file) {
  const results = readJson(file)
  if (!Array.isArray(results)) return { scenarios: 0, lost: 0, note: 'no report' }
  return { scenarios: results.length, lost: results.reduce((sum, r) => sum + r.lost, 0) }
}

async function runPass(pass) {
  const dir = join(reportsDir, pass.id)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const started = Date.now()
  const version = await versionOf(pass.env)
  log(`pass ${pass.id}: RabbitMQ ${version}`)
  const vitestReport = join(dir, 'vitest.json')
  const vitestCode = await run(
    join(root, 'node_modules/.bin/vitest'),
    [
      'run',
      ...pass.vitest,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${vitestReport}`,
    ],
    pass.env,
  )
  let faults = { scenarios: 0, lost: 0, note: 'not in this pass' }
  let faultsCode = 0
  if (pass.faults) {
    const faultsReport = join(root, 'reports/faults.json')
    rmSync(faultsReport, { force: true })
    faultsCode = await run(
      process.execPath,
      [join(root, 'test/faults/run.mjs'), '--ci', ...pass.faults],
      pass.env,
    )
    faults = faultCounts(faultsReport)
    if (existsSync(faultsReport)) await run('cp', [faultsReport, join(dir, 'faults.json')])
  }
  const e2eReport = join(dir, 'e2e.json')
  const e2eCode = await run('pnpm', ['--filter', './test', 'test:e2e'], {
    ...pass.env,
    ...pass.e2e,
    WARREN_E2E_REPORT: e2eReport,
  })
  return {
    id: pass.id,
    version,
    ok: vitestCode === 0 && faultsCode === 0 && e2eCode === 0 && faults.lost === 0,
    vitest: { ...vitestCounts(vitestReport), code: vitestCode },
    faults: { ...faults, code: faultsCode },
    e2e: { ...e2eCounts(e2eReport), code: e2eCode },
    seconds: Math.round((Date.now() - started) / 1000),
  }
}

function summary(result) {
  if (result.skipped) return `${result.id.padEnd(13)} not run: ${result.skipped}`
  const { vitest, faults, e2e } = result
  const part = (label, counts) =>
    `${label} ${counts.passed} passed, ${counts.failed} failed${counts.note ? ` (${counts.note})` : ''}`
  return [
    `${result.id.padEnd(13)} RabbitMQ ${result.version.padEnd(7)}`,
    part('vitest', vitest),
    faults.note === 'not in this pass'
      ? 'faults not in this pass'
      : `faults ${faults.scenarios} scenarios, lost ${faults.lost}${faults.code ? ' (failed)' : ''}`,
    part('e2e', e2e),
    `${Math.floor(result.seconds / 60)}m${String(result.seconds % 60).padStart(2, '0')}s`,
    result.ok ? 'ok' : 'FAILED',
  ].join(' | ')
}

const args = process.argv.slice(2)
const only = args.flatMap((arg, i) => (args[i - 1] === '--pass' ? [arg] : []))
const wanted = PASSES.filter((pass) => only.length === 0 || only.includes(pass.id))

const startedAt = Date.now()
if ((await run(process.execPath, [join(root, 'scripts/broker.mjs')])) !== 0) process.exit(1)

let cannot43 = null
if (wanted.some((pass) => pass.node)) {
  const code = await run(process.execPath, [rabbitmq, 'provision'])
  if (code === UNSUPPORTED) cannot43 = 'this machine cannot run a RabbitMQ 4.3 node (see above)'
  else if (code !== 0) cannot43 = `provisioning RabbitMQ 4.3 failed (exit ${code})`
}

if ((await run('pnpm', ['typecheck'])) !== 0 || (await run('pnpm', ['lint'])) !== 0) {
  log('type check or lint failed: no test pass run')
  process.exit(1)
}

// The packages as a service installs them (packed, installed outside the workspace, type-checked
// with skipLibCheck false and run against the machine's broker), once: what a pass's broker could
// change is in the passes.
const packStarted = Date.now()
const packCode = await run(process.execPath, [join(root, 'scripts/pack-install.mjs')])
const packLine = `pack-install  ${packCode === 0 ? 'ok' : 'FAILED'} (${Math.round((Date.now() - packStarted) / 1000)} s)`

const results = []
for (const pass of wanted) {
  if (pass.node && cannot43) {
    results.push({ id: pass.id, skipped: cannot43, ok: !ci })
    continue
  }
  if (pass.node && (await startNode(pass.node)) !== 0) {
    results.push({ id: pass.id, skipped: `${pass.node} did not start`, ok: false })
    continue
  }
  results.push(await runPass(pass))
}

const minutes = ((Date.now() - startedAt) / 60_000).toFixed(1)
log(`results per broker (${minutes} min in all):`)
log(`  ${packLine}`)
for (const result of results) log(`  ${summary(result)}`)
if (cannot43 && !ci) log('RabbitMQ 4.3 was not tested here; CI tests both brokers.')
process.exit(packCode === 0 && results.every((result) => result.ok) ? 0 : 1)
