#!/usr/bin/env node
// The public packages as a service team gets them: packs @warren/sdk and @warren/admin-api with
// pnpm, installs the tarballs into a fresh npm project outside the workspace, type-checks a sample
// service (strict, skipLibCheck false), runs it against the broker (publish, consume, retry, dead
// letter, request/reply, the dead letter seen through the admin API), runs a vitest test on the
// SDK's fake broker, then publint and attw on both tarballs, and prints their sizes.
//
//   node scripts/pack-install.mjs [--skip-lib-check] [--with-scripts] [--keep]
//
// --skip-lib-check: type-check with skipLibCheck true; --with-scripts: run the dependencies'
// install scripts (better-sqlite3 then compiles its addon); --keep: keep the temporary directory.
// WARREN_AMQP_URL / WARREN_MANAGEMENT_URL (and _USER/_PASSWORD) name the broker, as in the tests.
// The npm cache is reused (--prefer-offline); the temporary directory is removed.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sampleFiles } from './pack-install-sample.mjs'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const args = new Set(process.argv.slice(2))
const skipLibCheck = args.has('--skip-lib-check')
const withScripts = args.has('--with-scripts')
const PACKAGES = ['sdk', 'admin-api']

const amqp = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
const management = (process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672').split(',')[0]
const managementAuth = `Basic ${Buffer.from(
  `${process.env.WARREN_MANAGEMENT_USER ?? 'guest'}:${process.env.WARREN_MANAGEMENT_PASSWORD ?? 'guest'}`,
).toString('base64')}`

/** Runs a command; its output is shown only when it fails (or always, with `show`). */
function run(command, commandArgs, { cwd, env = {}, show = false }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { cwd, env: { ...process.env, ...env } })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (show || code !== 0) process.stdout.write(output.replace(/^(?=.)/gm, '    '))
      if (code === 0) resolve(output)
      else reject(new Error(`${command} ${commandArgs.join(' ')} exited with ${code}`))
    })
  })
}

async function step(name, work) {
  const started = Date.now()
  const result = await work()
  console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  return result
}

/** The workspace's catalog versions, so the sample uses what the workspace tests with. */
async function catalog() {
  const text = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8')
  const versions = {}
  for (const [, name, range] of text.matchAll(/^ {2}'?([@\w/.-]+)'?: (\S+)$/gm)) {
    versions[name] = range
  }
  return versions
}

async function managementCall(method, path) {
  const response = await fetch(`${management}${path}`, {
    method,
    headers: { authorization: managementAuth, 'content-type': 'application/json' },
    ...(method === 'PUT' && path.startsWith('/api/permissions')
      ? { body: JSON.stringify({ configure: '.*', write: '.*', read: '.*' }) }
      : {}),
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
  }
}

const started = Date.now()
const dir = await mkdtemp(join(tmpdir(), 'warren-pack-install-'))
const vhost = `pack-install-${Math.random().toString(16).slice(2, 10)}`
const user = decodeURIComponent(new URL(amqp).username) || 'guest'
let failed = false
try {
  await step('pnpm pack @warren/sdk and @warren/admin-api (prepack builds and checks)', () =>
    Promise.all(
      PACKAGES.map((name) =>
        run('pnpm', ['pack', '--pack-destination', dir], { cwd: join(root, 'packages', name) }),
      ),
    ),
  )
  const tarballs = (await readdir(dir)).filter((file) => file.endsWith('.tgz')).sort()
  const app = join(dir, 'service')
  const versions = await catalog()
  for (const [path, text] of Object.entries(sampleFiles({ tarballs, versions, skipLibCheck }))) {
    await mkdir(dirname(join(app, path)), { recursive: true })
    await writeFile(join(app, path), text)
  }
  // Without install scripts unless asked: better-sqlite3 would compile its addon (2 minutes on
  // two cores) and the sample, like the admin API, loads only the store it is configured with.
  const install = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']
  if (!withScripts) install.push('--ignore-scripts')
  await step(
    `npm install the tarballs into a fresh project${withScripts ? '' : ' (--ignore-scripts)'}`,
    () => run('npm', install, { cwd: app }),
  )
  await step(`tsc, strict, skipLibCheck ${skipLibCheck}`, () =>
    run('npx', ['tsc', '-p', '.'], { cwd: app }),
  )
  await managementCall('PUT', `/api/vhosts/${vhost}`)
  await managementCall('PUT', `/api/permissions/${vhost}/${encodeURIComponent(user)}`)
  const url = new URL(amqp)
  url.pathname = `/${vhost}`
  await step('the service on the broker: publish, consume, retry, dead letter, request/reply', () =>
    run('node', ['dist/service.js'], {
      cwd: app,
      show: true,
      env: { WARREN_AMQP_URL: url.href, WARREN_VHOSTS: vhost, WARREN_DEAD_LETTER_STORE: 'off' },
    }),
  )
  await step('vitest on the fake broker', () =>
    run('npx', ['vitest', 'run', '--reporter=dot'], { cwd: app }),
  )
  await step('publint and attw on both tarballs', () =>
    Promise.all(
      tarballs.flatMap((tarball) => [
        run('npx', ['publint', 'run', join('..', tarball), '--strict'], { cwd: app, show: true }),
        // ES modules only: require() loads them on Node 20.19+, node10 resolution is unsupported.
        run('npx', ['attw', join('..', tarball), '--profile', 'esm-only', '--format', 'ascii'], {
          cwd: app,
          show: true,
        }),
      ]),
    ),
  )
  for (const tarball of tarballs) {
    const { size } = await stat(join(dir, tarball))
    const files = (await run('tar', ['-tzf', tarball], { cwd: dir })).trim().split('\n').length
    console.log(`size ${tarball}: ${(size / 1024).toFixed(1)} KB packed, ${files} files`)
  }
  console.log(`pack-install passed in ${((Date.now() - started) / 1000).toFixed(0)} s`)
} catch (error) {
  failed = true
  console.error(`pack-install FAILED: ${error instanceof Error ? error.message : String(error)}`)
} finally {
  await managementCall('DELETE', `/api/vhosts/${vhost}`).catch(() => {})
  if (args.has('--keep')) console.log(`kept ${dir}`)
  else await rm(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
