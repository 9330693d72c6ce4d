#!/usr/bin/env node
// Broker bootstrap shared by `pnpm start`, `pnpm test` and `.ci/run`.
// Makes sure RabbitMQ answers AMQP at WARREN_AMQP_URL and that its management API is on.
// Idempotent, and fast when everything is already up (two socket probes, no child process).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { redactUrl } from '../packages/admin-api/src/security/redact-url.js'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..')

const amqpUrls = (process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672')
  .split(',')
  .map((url) => url.trim())
  .filter(Boolean)
const managementUrl = process.env.WARREN_MANAGEMENT_URL ?? 'http://127.0.0.1:15672'
const PLUGINS = ['rabbitmq_management', 'rabbitmq_prometheus', 'rabbitmq_shovel']
// The /usr/sbin wrappers run as the broker's user, so they share its Erlang cookie.
const RABBIT_BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/lib/rabbitmq/bin', '/usr/local/bin']

const log = (message) => console.log(`[broker] ${message}`)

class BootstrapError extends Error {}

function endpoint(url) {
  const parsed = new URL(url)
  const tls = parsed.protocol === 'amqps:'
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: Number(parsed.port || (tls ? 5671 : 5672)),
    tls,
  }
}

const isLocalHost = (host) => ['127.0.0.1', 'localhost', '::1', '0.0.0.0'].includes(host)

/** True when the peer answers the AMQP 0-9-1 protocol header with a method frame. */
function probeAmqp(url, timeoutMs = 1500) {
  const { host, port, tls } = endpoint(url)
  if (tls) return probeTcp(host, port, timeoutMs)
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))
    socket.once('data', (chunk) => done(chunk[0] === 1))
  })
}

function probeTcp(host, port, timeoutMs = 1500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => done(true))
  })
}

async function probeManagement(timeoutMs = 2000) {
  try {
    const response = await fetch(new URL('/api/overview', managementUrl), {
      signal: AbortSignal.timeout(timeoutMs),
    })
    // 401 still means the plugin is up; the credentials are the admin API's concern.
    return response.status < 500
  } catch {
    return false
  }
}

async function waitFor(probe, timeoutMs, intervalMs = 500) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await probe()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return false
}

function rabbitTool(name) {
  for (const dir of RABBIT_BIN_DIRS) {
    const path = join(dir, name)
    if (existsSync(path)) return path
  }
  return undefined
}

async function commandSucceeds(file, args, timeoutMs) {
  try {
    await run(file, args, { timeout: timeoutMs })
    return true
  } catch {
    return false
  }
}

async function localNodeRunning() {
  const ctl = rabbitTool('rabbitmqctl')
  return ctl !== undefined && (await commandSucceeds(ctl, ['-q', 'ping'], 8000))
}

async function dockerAnswers() {
  return commandSucceeds('docker', ['info', '--format', '{{.ServerVersion}}'], 5000)
}

function unreachable(detail) {
  const tried = amqpUrls.map(redactUrl).join(', ')
  return new BootstrapError(
    [
      `Cannot reach RabbitMQ at ${tried}.`,
      detail,
      'What to do:',
      '  - point WARREN_AMQP_URL at a running broker (comma-separated for a cluster),',
      '    and WARREN_MANAGEMENT_URL, WARREN_MANAGEMENT_USER, WARREN_MANAGEMENT_PASSWORD at its management API;',
      '  - or install RabbitMQ locally (it is started and configured for you);',
      '  - or start Docker, then run this again (it runs `docker compose up -d`).',
    ].join('\n'),
  )
}

async function ensureAmqp() {
  if ((await Promise.all(amqpUrls.map((url) => probeAmqp(url)))).some(Boolean)) return
  const first = endpoint(amqpUrls[0])
  const server = rabbitTool('rabbitmq-server')
  const localPort = Number(process.env.RABBITMQ_NODE_PORT ?? 5672)
  if (server && isLocalHost(first.host) && first.port === localPort) {
    if (await localNodeRunning()) {
      throw unreachable('A local RabbitMQ node is running but does not accept AMQP connections.')
    }
    log('starting the local RabbitMQ node (rabbitmq-server -detached)')
    await run(server, ['-detached'], { timeout: 30_000 })
    if (await waitFor(() => probeAmqp(amqpUrls[0]), 90_000)) return
    throw unreachable('The local RabbitMQ node was started but did not answer within 90 s.')
  }
  if (server) {
    throw unreachable(
      `A local RabbitMQ is installed, but ${first.host}:${first.port} is not its address.`,
    )
  }
  if (await dockerAnswers()) {
    log('starting RabbitMQ with docker compose up -d')
    await run('docker', ['compose', '-f', join(root, 'docker-compose.yml'), 'up', '-d'], {
      timeout: 300_000,
    })
    if (await waitFor(() => probeAmqp(amqpUrls[0]), 120_000)) return
    throw unreachable('docker compose started RabbitMQ but it did not answer within 120 s.')
  }
  throw unreachable('No local RabbitMQ installation and no Docker engine were found.')
}

async function ensureManagement() {
  if (await probeManagement()) return
  const plugins = rabbitTool('rabbitmq-plugins')
  const host = new URL(managementUrl).hostname
  if (!plugins || !isLocalHost(host)) {
    throw new BootstrapError(
      `RabbitMQ answers AMQP but its management API at ${redactUrl(managementUrl)} does not.\n` +
        'Enable it on the broker (rabbitmq-plugins enable rabbitmq_management) or set WARREN_MANAGEMENT_URL.',
    )
  }
  log(`enabling ${PLUGINS.join(', ')}`)
  await run(plugins, ['enable', ...PLUGINS], { timeout: 60_000 })
  if (!(await waitFor(probeManagement, 60_000))) {
    throw new BootstrapError(
      `Enabled ${PLUGINS.join(', ')} but ${redactUrl(managementUrl)} did not answer within 60 s.`,
    )
  }
}

try {
  const started = Date.now()
  await ensureAmqp()
  await ensureManagement()
  log(`RabbitMQ ready at ${amqpUrls.map(redactUrl).join(', ')} (${Date.now() - started} ms)`)
} catch (error) {
  console.error(`[broker] ${error instanceof BootstrapError ? error.message : error}`)
  process.exit(1)
}
