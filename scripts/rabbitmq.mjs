#!/usr/bin/env node
// One file on purpose: CI and contributors run it with plain node before any install, so it
// shares no module with broker.mjs and cluster.mjs (a scripts/lib module is the next step).
// RabbitMQ 4.3 beside the machine's own broker, for running Warren against the 4.x line:
//
//   node scripts/rabbitmq.mjs provision
//   node scripts/rabbitmq.mjs start [--name warren43] [--amqp-port 5682] [--management-port 15682]
//                                   [--dist-port 25682] [--prometheus-port 15693] [--config X]...
//                                   [--deny-deprecated] [--netns NS --ip A.B.C.D] [--net-ticktime S]
//                                   [--advanced-config TERMS]
//   node scripts/rabbitmq.mjs stop [--name warren43] [--purge]
//   node scripts/rabbitmq.mjs status
//   node scripts/rabbitmq.mjs ctl [--name warren43] [--] <rabbitmqctl arguments>...
//   node scripts/rabbitmq.mjs cluster start [--nodes 3] [--base-port 5700] [--config X]...
//   node scripts/rabbitmq.mjs cluster stop
//
// RabbitMQ 4.3 needs a newer Erlang than Debian 12 ships, so `provision` bootstraps a
// minimal Debian forky with Debian's rabbitmq-server into a root folder ($WARREN_RABBITMQ_DIR,
// default .cache/rabbitmq-4.3) and every node runs chrooted in it: its own files, the host's network
// and epmd. `--config` takes a rabbitmq.conf line (`key = value`) or a file of such lines; either is
// appended to the node's configuration. `--advanced-config` takes the node's advanced.config, Erlang
// terms (`[{rabbit, [...]}].`) or a file of them, for settings rabbitmq.conf has no key for (the
// fault suite's nodes use it). Nodes listen on 127.0.0.1 only; guest/guest works from there.
// Node data lives in <root>/var/lib/warren/<name>: kept by `stop` (a later `start` of the same name
// boots on it again), removed by `stop --purge` and `cluster stop`.
//
// `--deny-deprecated` denies every deprecated feature the installed RabbitMQ has
// (`deprecated_features.permit.<feature> = false`), as the broker itself lists them; the list is
// cached per version in <root>/var/lib/warren/deprecated-features.json.
//
// `--netns NS --ip A.B.C.D` runs the node in network namespace NS (made beforehand with
// `ip netns add`, the address on one of its links): it listens on that address, is called
// <name>@A.B.C.D (long names), and finds its peers through an epmd of its namespace, which the VM
// starts. Cutting that namespace's link is a real network partition (the fault suite does it).
// `--net-ticktime S` sets how soon a silent peer counts as down (Erlang's default: 60 s).
//
// `ctl` runs the root folder's rabbitmqctl against a running node, inside the chroot, and exits
// with its code: what tests name in WARREN_RABBITMQCTL to close a 4.3 node's connections.
//
// Exit codes: 0 done, 1 failed, 2 usage, 3 this machine cannot run a 4.3 node (not root, not
// Debian, no apt or debootstrap, no mount), so callers can tell "unsupported here" from "broken".
import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, openSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs'
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const ROOT = resolve(process.env.WARREN_RABBITMQ_DIR ?? join(repo, '.cache', 'rabbitmq-4.3'))
const MIRROR = process.env.WARREN_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian'
// forky is the Debian suite that carries rabbitmq-server 4.3. This machine's debootstrap predates
// it and has no script for it; forky is built like sid, so sid's script does.
const SUITE = 'forky'
const SUITE_SCRIPT = '/usr/share/debootstrap/scripts/sid'
const WANTED = '4.3.'
const NODES_DIR = '/var/lib/warren' // inside the root folder
const BIN = '/usr/lib/rabbitmq/bin' // inside the root folder
const PLUGINS = ['rabbitmq_management', 'rabbitmq_prometheus']
const START_TIMEOUT_MS = 90_000
const UNSUPPORTED = 3

const DEFAULTS = {
  name: 'warren43',
  amqpPort: 5682,
  managementPort: 15682,
  distPort: 25682,
  // Not 15692, the plugin's default: the machine's own 3.x broker has it.
  prometheusPort: 15693,
}

const log = (message) => console.log(`[rabbitmq] ${message}`)

class Unsupported extends Error {}

const [command, ...rest] = process.argv.slice(2)
const option = (name, fallback) => {
  const index = rest.indexOf(`--${name}`)
  return index === -1 ? fallback : rest[index + 1]
}
const options = (name) => rest.flatMap((arg, i) => (arg === `--${name}` ? [rest[i + 1]] : []))
const port = (name, fallback) => {
  const value = Number(option(name, fallback))
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`bad --${name}`)
  return value
}

try {
  if (command === 'provision') await provision()
  else if (command === 'start') await start()
  else if (command === 'stop') await stop(option('name', DEFAULTS.name), rest.includes('--purge'))
  else if (command === 'status') await status()
  else if (command === 'ctl') await ctlCommand()
  else if (command === 'cluster' && rest[0] === 'start') await clusterStart()
  else if (command === 'cluster' && rest[0] === 'stop') await clusterStop()
  else {
    console.log(
      'usage: node scripts/rabbitmq.mjs provision|start|stop|status|ctl|cluster start|stop',
    )
    process.exitCode = 2
  }
} catch (error) {
  console.error(`[rabbitmq] ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = error instanceof Unsupported ? UNSUPPORTED : 1
}

// ---- provisioning -----------------------------------------------------------------------------

async function provision({ quiet = false } = {}) {
  requireRoot()
  const installed = installedVersion(ROOT)
  if (installed) {
    if (!installed.startsWith(WANTED)) {
      throw new Error(
        `${ROOT} holds RabbitMQ ${installed}, not ${WANTED}x: remove it ` +
          `(rm -rf --one-file-system ${ROOT}) or set WARREN_RABBITMQ_DIR to another folder`,
      )
    }
    if (!quiet) log(`reusing ${ROOT} (RabbitMQ ${installed})`)
    return installed
  }
  if (!existsSync('/etc/debian_version') || !existsSync('/usr/bin/apt-get')) {
    throw new Unsupported(
      'provisioning RabbitMQ 4.3 needs Debian (or a derivative) with apt-get, which this machine is not',
    )
  }
  await ensureDebootstrap()
  const started = Date.now()
  // Built beside the final folder and renamed at the end, so an interrupted run never leaves
  // something that a later run would take for a finished root folder.
  const partial = `${ROOT}.partial`
  const logFile = `${ROOT}.debootstrap.log`
  await removeTree(partial)
  await mkdir(dirname(ROOT), { recursive: true })
  log(`bootstrapping Debian ${SUITE} with rabbitmq-server into ${ROOT} (about a minute)`)
  const args = ['--variant=minbase', '--include=rabbitmq-server', SUITE, partial, MIRROR]
  const code = await runLogged('/usr/sbin/debootstrap', [...args, SUITE_SCRIPT], logFile, 900_000)
  if (code !== 0) {
    const tail = await tailOf(logFile, 15)
    await removeTree(partial)
    throw new Error(`debootstrap failed (exit ${code}); end of ${logFile}:\n${tail}`)
  }
  await alignRabbitmqUser(partial)
  const version = installedVersion(partial)
  if (!version?.startsWith(WANTED)) {
    await removeTree(partial)
    throw new Error(
      `Debian ${SUITE} now ships RabbitMQ ${version ?? '(none)'}, not ${WANTED}x; point ` +
        'WARREN_DEBIAN_MIRROR at a dated snapshot, e.g. https://snapshot.debian.org/archive/debian/20260101T000000Z/',
    )
  }
  await rename(partial, ROOT)
  log(`RabbitMQ ${version} provisioned in ${ROOT} (${seconds(started)})`)
  return version
}

/** The rabbitmq-server version dpkg recorded in a root folder, when it holds the server. */
function installedVersion(dir) {
  if (!existsSync(join(dir, 'usr/sbin/rabbitmq-server'))) return undefined
  const status = readFileSync(join(dir, 'var/lib/dpkg/status'), 'utf8')
  const stanza = status.split('\n\n').find((entry) => /^Package: rabbitmq-server$/m.test(entry))
  return stanza?.match(/^Version: (?:\d+:)?([^-\s]+)/m)?.[1]
}

function requireRoot() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) {
    throw new Unsupported(
      'RabbitMQ 4.3 runs chrooted in a Debian root folder, which needs root on Linux (chroot, mount); run this as root',
    )
  }
}

async function ensureDebootstrap() {
  if (existsSync('/usr/sbin/debootstrap')) return
  log('installing debootstrap with apt-get')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const install = () => run('apt-get', ['install', '-y', '-qq', 'debootstrap'], { env })
  try {
    await install().catch(async () => {
      // A fresh machine's package lists may be missing or stale.
      await run('apt-get', ['update', '-qq'], { env, timeout: 300_000 })
      await install()
    })
  } catch (error) {
    throw new Unsupported(`cannot install debootstrap with apt-get: ${firstLine(error)}`)
  }
}

/**
 * The package created `rabbitmq` with the first free system id of the root folder (101), which on
 * the host may be another account (postgres here): the host's ps, ls and kill would take the broker
 * for that user. When the host has a rabbitmq user, the root folder's gets the same ids.
 */
async function alignRabbitmqUser(dir) {
  const host = account('/etc/passwd', 'rabbitmq')
  const inner = account(join(dir, 'etc/passwd'), 'rabbitmq')
  if (!host || !inner || (host.uid === inner.uid && host.gid === inner.gid)) return
  const taken = (file, id) =>
    readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .some((line) => line.split(':')[2] === String(id) && !line.startsWith('rabbitmq:'))
  if (taken('etc/passwd', host.uid) || taken('etc/group', host.gid)) return
  await run('chroot', [dir, 'groupmod', '-g', String(host.gid), 'rabbitmq'])
  await run('chroot', [dir, 'usermod', '-u', String(host.uid), '-g', String(host.gid), 'rabbitmq'])
  // usermod re-owns only the home folder; the package owns a few more (/etc/rabbitmq, its logs).
  const reown = (test, from, tool, to) =>
    run('find', [dir, '-xdev', test, String(from), '-exec', tool, '-h', String(to), '{}', '+'])
  await reown('-uid', inner.uid, 'chown', host.uid)
  await reown('-gid', inner.gid, 'chgrp', host.gid)
}

function account(passwdFile, name) {
  const line = readFileSync(passwdFile, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${name}:`))
  if (!line) return undefined
  const [, , uid, gid] = line.split(':')
  return { uid: Number(uid), gid: Number(gid) }
}

// ---- mounts -------------------------------------------------------------------------------------

function mountPoints() {
  // /proc/mounts escapes blanks in paths as octal (\040).
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) =>
      line.split(' ')[1]?.replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))),
    )
    .filter(Boolean)
}

/** /proc and /dev inside the root folder: the VM reads /proc (memory, cpus), writes /dev/null. */
async function ensureMounts(root) {
  const points = mountPoints()
  try {
    if (!points.includes(join(root, 'proc'))) {
      await run('mount', ['-t', 'proc', 'proc', join(root, 'proc')])
    }
    if (!points.includes(join(root, 'dev'))) {
      await run('mount', ['--bind', '/dev', join(root, 'dev')])
      // Read-only, so a recursive delete of the cache folder (rm -rf, git clean -x) cannot take the
      // host's device nodes with it. Device files stay writable on a read-only mount.
      await run('mount', ['-o', 'remount,bind,ro', join(root, 'dev')])
    }
  } catch (error) {
    throw new Unsupported(`cannot mount /proc and /dev into ${root}: ${firstLine(error)}`)
  }
}

/** Unmounts what ensureMounts mounted once no node runs from the root folder any more. */
async function releaseRoot(root) {
  const others = runningNodes().filter((node) => node.root === root)
  if (others.length > 0) {
    const names = others.map((node) => node.node).join(', ')
    log(`${root} stays mounted: ${names} still running from it`)
    return
  }
  await stopIdleEpmd(root)
  // A stopped VM's shell and helper processes take a moment to exit after it.
  const deadline = Date.now() + 5000
  const lingering = () => pidsRootedIn(root).filter((pid) => commOf(pid) !== 'epmd')
  while (lingering().length > 0 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100))
  }
  for (const point of [join(root, 'dev'), join(root, 'proc')]) {
    if (!mountPoints().includes(point)) continue
    // A helper process that outlived its VM may hold a file open; detach the mount anyway.
    await run('umount', [point]).catch(() => run('umount', ['-l', point]))
  }
}

/**
 * A node starts epmd from the root folder when the host runs none. It outlives the node and keeps
 * the mounts busy, so it goes with the last node, unless some other node still has a name in it.
 */
async function stopIdleEpmd(root) {
  for (const pid of pidsRootedIn(root)) {
    // An epmd in a node's network namespace goes with that namespace.
    if (commOf(pid) !== 'epmd' || !inOurNamespace(pid)) continue
    const { stdout } = await run('chroot', [root, 'epmd', '-names']).catch(() => ({ stdout: '' }))
    if (/^name /m.test(String(stdout))) continue
    signal(pid, 'SIGTERM')
    await exited(pid, 5000)
  }
}

function inOurNamespace(pid) {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync('/proc/self/ns/net')
  } catch {
    return false
  }
}

function commOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim()
  } catch {
    return undefined
  }
}

function pidsRootedIn(root) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/root`) === root
      } catch {
        return false
      }
    })
    .map(Number)
}

// ---- nodes --------------------------------------------------------------------------------------

function nodeFromArgs() {
  const name = option('name', DEFAULTS.name)
  const netns = option('netns', undefined)
  const ip = option('ip', undefined)
  if ((netns === undefined) !== (ip === undefined)) throw new Error('--netns and --ip go together')
  if (ip !== undefined && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw new Error(`bad --ip ${ip}`)
  if (netns !== undefined && !/^[\w.-]+$/.test(netns)) throw new Error(`bad --netns ${netns}`)
  const ticktime = option('net-ticktime', undefined)
  if (ticktime !== undefined && !(Number(ticktime) >= 1)) throw new Error('bad --net-ticktime')
  return {
    name,
    node: `${name}@${ip ?? 'localhost'}`,
    // Where the node listens and answers: its namespace's address, else the host's loopback.
    host: ip ?? '127.0.0.1',
    ...(netns !== undefined && { netns }),
    ...(ticktime !== undefined && { netTicktime: Number(ticktime) }),
    amqpPort: port('amqp-port', DEFAULTS.amqpPort),
    managementPort: port('management-port', DEFAULTS.managementPort),
    distPort: port('dist-port', DEFAULTS.distPort),
    prometheusPort: port('prometheus-port', DEFAULTS.prometheusPort),
    config: extraConfig(),
    ...advancedConfig(),
  }
}

function advancedConfig() {
  const value = option('advanced-config', undefined)
  if (value === undefined) return {}
  const terms = existsSync(value) ? readFileSync(value, 'utf8').trim() : value.trim()
  if (!terms.endsWith('.')) throw new Error('--advanced-config takes Erlang terms ending in a dot')
  return { advancedConfig: terms }
}

/** Where a node answers; nodes started before `host` was recorded answer on the loopback. */
function hostOf(node) {
  return node.host ?? '127.0.0.1'
}

function extraConfig() {
  return options('config').flatMap((value) => {
    if (value && existsSync(value)) return readFileSync(value, 'utf8').split('\n').filter(Boolean)
    if (value?.includes('=')) return [value]
    throw new Error(`--config takes a rabbitmq.conf line (key = value) or a file: ${value}`)
  })
}

async function start() {
  const node = nodeFromArgs()
  // Before the root check, so a caller without root learns that the node is there all the same.
  if (await answersAsItself(node)) return
  requireRoot()
  if (node.netns !== undefined && !existsSync(`/run/netns/${node.netns}`)) {
    throw new Error(`no network namespace ${node.netns} (ip netns add ${node.netns})`)
  }
  await assertPlaceFree(node)
  await provision({ quiet: true })
  const started = Date.now()
  try {
    await ensureMounts(ROOT)
    if (rest.includes('--deny-deprecated')) {
      const features = await deprecatedFeatures(node)
      node.config = [
        ...features.map((feature) => `deprecated_features.permit.${feature} = false`),
        ...node.config,
      ]
    }
    await boot(node)
  } catch (error) {
    await releaseRoot(ROOT)
    throw error
  }
  log(`${node.node} (RabbitMQ ${installedVersion(ROOT)}) ready in ${seconds(started)}`)
  printUrls([node])
}

async function answersAsItself(node) {
  const answer = await overview(hostOf(node), node.managementPort)
  if (answer?.node !== node.node) return false
  log(`${node.node} already answers (RabbitMQ ${answer.rabbitmq_version})`)
  printUrls([node])
  return true
}

/** Fails when another broker, or this node under other ports, holds what the node needs. */
async function assertPlaceFree(node) {
  if (!/^[A-Za-z0-9_-]+$/.test(node.name)) throw new Error(`bad --name ${node.name}`)
  const answer = await overview(hostOf(node), node.managementPort)
  if (answer) {
    throw new Error(`port ${node.managementPort} answers as ${answer.node}, not ${node.node}`)
  }
  const running = runningNodes().find((other) => other.name === node.name)
  if (running) {
    throw new Error(
      `${node.node} runs (pid ${running.pid}) but not with management on ${node.managementPort}: ` +
        `stop it first (node scripts/rabbitmq.mjs stop --name ${node.name})`,
    )
  }
  // A namespace of its own has its own ports: nothing of the host's can take them.
  if (node.netns !== undefined) return
  for (const taken of [node.amqpPort, node.managementPort, node.distPort, node.prometheusPort]) {
    if (!(await portFree(taken))) throw new Error(`port ${taken} is taken`)
  }
}

/**
 * The deprecated features of the installed RabbitMQ, by the broker's own answer
 * (`list_deprecated_features`): from the cache, else from a running node of the root folder,
 * else from `node` booted once for the question (then stopped again).
 */
async function deprecatedFeatures(node) {
  const version = installedVersion(ROOT)
  const cache = join(ROOT, NODES_DIR, 'deprecated-features.json')
  const cached = JSON.parse(await readFile(cache, 'utf8').catch(() => '{}'))
  if (cached.version === version && Array.isArray(cached.features)) return cached.features
  const ask = async (target) =>
    JSON.parse(
      (await ctl(ROOT, target, 'list_deprecated_features', '--formatter', 'json')).replace(
        /^[^[]*/,
        '',
      ),
    ).map((feature) => feature.name)
  let features
  const running = runningNodes().find((other) => other.root === ROOT)
  if (running) features = await ask(running)
  else {
    log(`asking ${node.node} which deprecated features RabbitMQ ${version} has`)
    await boot(node)
    try {
      features = await ask(node)
    } finally {
      const booted = runningNodes().find((other) => other.name === node.name)
      if (booted) await halt(booted)
    }
  }
  await mkdir(dirname(cache), { recursive: true })
  await writeFile(cache, `${JSON.stringify({ version, features }, null, 2)}\n`)
  return features
}

/** Writes the node's folder, starts its VM in the root folder and waits until it answers. */
async function boot(node) {
  const user = account(join(ROOT, 'etc/passwd'), 'rabbitmq')
  const dir = join(ROOT, nodeDir(node))
  await mkdir(join(dir, 'log'), { recursive: true })
  // Without localhost in the root folder's hosts file the node dies with nxdomain for its own host.
  await copyFile('/etc/hosts', join(ROOT, 'etc/hosts'))
  const host = hostOf(node)
  const config = [
    `listeners.tcp.default = ${host}:${node.amqpPort}`,
    `management.tcp.ip = ${host}`,
    `management.tcp.port = ${node.managementPort}`,
    `prometheus.tcp.ip = ${host}`,
    `prometheus.tcp.port = ${node.prometheusPort}`,
    // In the foreground the node would log everything to startup.log too, and that file never rotates.
    'log.console = false',
    // Clients (and this script) reach a namespaced node by its private address, not the loopback.
    ...(node.netns === undefined ? [] : ['loopback_users = none']),
    ...node.config,
  ]
  await writeFile(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`)
  await writeFile(join(dir, 'enabled_plugins'), `[${PLUGINS.join(',')}].\n`)
  if (node.advancedConfig !== undefined) {
    await writeFile(join(dir, 'advanced.config'), `${node.advancedConfig}\n`)
  }
  await writeFile(join(dir, 'node.json'), `${JSON.stringify(node, null, 2)}\n`)
  // One cookie per root folder, so cluster members and the CLI of any node can talk to each other.
  const cookie = join(ROOT, NODES_DIR, '.erlang.cookie')
  if (!existsSync(cookie)) await writeFile(cookie, randomBytes(15).toString('hex').toUpperCase())
  await rm(join(dir, '.erlang.cookie'), { force: true })
  await copyFile(cookie, join(dir, '.erlang.cookie'))
  await chmod(join(dir, '.erlang.cookie'), 0o400)
  await run('chown', ['-R', `${user.uid}:${user.gid}`, dir])

  // Foreground mode in a session of its own rather than `-detached`, so that what the VM prints
  // before its logger runs (a bad config line, a taken name) lands in startup.log.
  const logOffset = existsSync(join(dir, 'log', `${node.node}.log`))
    ? statSync(join(dir, 'log', `${node.node}.log`)).size
    : 0
  const out = openSync(join(dir, 'log', 'startup.log'), 'w')
  const [file, ...args] = inNamespace(node, [
    'chroot',
    ...chrooted(ROOT, user, [`${BIN}/rabbitmq-server`]),
  ])
  const child = spawn(file, args, {
    env: nodeEnv(node),
    detached: true,
    stdio: ['ignore', out, out],
  })
  let exit
  child.once('exit', (code, sig) => (exit = code ?? sig))
  child.unref()

  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const answer = await overview(host, node.managementPort)
    if (answer?.node === node.node && (await probeAmqp(host, node.amqpPort))) return
    if (exit !== undefined || Date.now() > deadline) {
      const why =
        exit !== undefined
          ? `exited (${exit})`
          : `did not answer within ${START_TIMEOUT_MS / 1000} s`
      // A VM that hangs in boot would keep the ports and the mounts: it goes before we report.
      const hung = runningNodes().find((other) => other.name === node.name)
      if (hung) await halt(hung)
      throw new Error(`${node.node} ${why}\n${await bootLogs(dir, node, logOffset)}`)
    }
    await new Promise((done) => setTimeout(done, 250))
  }
}

/**
 * What explains a failed boot: the errors printed before the logger ran (a bad config line is
 * only there), then the end of what the node logged since this start (the log file is appended).
 */
async function bootLogs(dir, node, logOffset) {
  const startup = join(dir, 'log', 'startup.log')
  const nodeLog = join(dir, 'log', `${node.node}.log`)
  const early = (await readFile(startup, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => / \[error\] /.test(line))
    .slice(0, 12)
  const recent = (await readFile(nodeLog).catch(() => Buffer.alloc(0)))
    .subarray(logOffset)
    .toString('utf8')
    .trimEnd()
    .split('\n')
    .slice(-15)
  return [
    `--- errors in ${startup}:`,
    ...(early.length > 0 ? early : ['(none)']),
    `--- end of ${nodeLog} since this start:`,
    ...(recent.join('') ? recent : ['(nothing)']),
  ].join('\n')
}

function nodeDir(node) {
  return `${NODES_DIR}/${node.name}`
}

/** chroot as the root folder's rabbitmq user: what the /usr/sbin wrappers do with su, minus su. */
function chrooted(root, user, argv) {
  // The wrappers' su resets HOME to /var/lib/rabbitmq, so every node would share one home and
  // cookie; calling the real scripts as the user keeps HOME, and the cookie, per node.
  return [`--userspec=${user.uid}:${user.gid}`, `--groups=${user.gid}`, root, ...argv]
}

/** argv run in the node's network namespace, when it has one (nsenter enters only that). */
function inNamespace(node, argv) {
  return node.netns === undefined ? argv : ['nsenter', `--net=/run/netns/${node.netns}`, ...argv]
}

/** The whole environment of a node and its CLI: nothing of the caller's leaks into the chroot. */
function nodeEnv(node) {
  const dir = nodeDir(node)
  const host = hostOf(node)
  const erlArgs = [
    `-kernel inet_dist_use_interface {${host.split('.').join(',')}}`,
    ...(node.netTicktime ? [`-kernel net_ticktime ${node.netTicktime}`] : []),
  ]
  return {
    PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    RABBITMQ_NODENAME: node.node,
    RABBITMQ_CONFIG_FILE: `${dir}/rabbitmq.conf`,
    RABBITMQ_ENABLED_PLUGINS_FILE: `${dir}/enabled_plugins`,
    // Only for nodes started with one: else the root folder's default path, which has no file.
    ...(node.advancedConfig !== undefined && {
      RABBITMQ_ADVANCED_CONFIG_FILE: `${dir}/advanced.config`,
    }),
    RABBITMQ_MNESIA_BASE: `${dir}/mnesia`,
    RABBITMQ_LOG_BASE: `${dir}/log`,
    RABBITMQ_PID_FILE: `${dir}/rabbit.pid`,
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: erlArgs.join(' '),
    // An address as host part needs long names, for the node and for its CLI alike.
    ...(node.netns !== undefined && { RABBITMQ_USE_LONGNAME: 'true' }),
    // What the epmd that a node starts listens on: peers in other namespaces ask it by address.
    ERL_EPMD_ADDRESS: host === '127.0.0.1' ? host : `127.0.0.1,${host}`,
    // The VM's working directory is the chroot's /, which the rabbitmq user cannot write.
    ERL_CRASH_DUMP: `${dir}/erl_crash.dump`,
    // How status and stop recognise this script's nodes among the machine's processes.
    WARREN_RABBITMQ_NODE: node.name,
  }
}

async function ctl(root, node, ...args) {
  const [file, ...argv] = ctlArgv(root, node, args)
  const { stdout } = await run(file, argv, { env: cliEnv(node), timeout: 120_000 })
  return String(stdout)
}

/** The node's environment minus its mark: a CLI's VM must not pass for the node in runningNodes. */
function cliEnv(node) {
  const { WARREN_RABBITMQ_NODE: _mark, ...env } = nodeEnv(node)
  return env
}

/** rabbitmqctl of the root folder against `node`, from the node's own network namespace. */
function ctlArgv(root, node, args) {
  const user = account(join(root, 'etc/passwd'), 'rabbitmq')
  return inNamespace(node, [
    'chroot',
    ...chrooted(root, user, [`${BIN}/rabbitmqctl`, '-n', node.node, ...args]),
  ])
}

/**
 * `ctl [--name N] [--] args...`: rabbitmqctl of the node's own root folder, its output and exit code
 * passed through. Only a leading `--name` is this script's: every later argument is rabbitmqctl's.
 */
async function ctlCommand() {
  let args = rest
  let name = DEFAULTS.name
  if (args[0] === '--name') {
    name = args[1]
    args = args.slice(2)
  }
  if (args[0] === '--') args = args.slice(1)
  if (!name || args.length === 0) {
    console.log(
      'usage: node scripts/rabbitmq.mjs ctl [--name warren43] [--] <rabbitmqctl arguments>',
    )
    process.exitCode = 2
    return
  }
  requireRoot()
  const node = runningNodes().find((running) => running.name === name)
  if (!node) throw new Error(`${name}@localhost is not running (node scripts/rabbitmq.mjs start)`)
  const [file, ...argv] = ctlArgv(node.root, node, args)
  const child = spawn(file, argv, { env: cliEnv(node), stdio: 'inherit' })
  process.exitCode = await new Promise((done) => {
    child.once('error', () => done(1))
    child.once('exit', (code) => done(code ?? 1))
  })
}

/** This script's running nodes, from any root folder: known by their VM's environment. */
function runningNodes() {
  const found = []
  for (const pid of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'beam.smp') continue
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')
      const name = env.find((entry) => entry.startsWith('WARREN_RABBITMQ_NODE='))?.split('=')[1]
      if (!name) continue
      const root = readlinkSync(`/proc/${pid}/root`)
      const saved = JSON.parse(readFileSync(join(root, NODES_DIR, name, 'node.json'), 'utf8'))
      found.push({ ...saved, pid: Number(pid), root })
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name))
}

async function stop(name, purge) {
  requireRoot()
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`bad --name ${name}`)
  const node = runningNodes().find((running) => running.name === name)
  const root = node?.root ?? ROOT
  const started = Date.now()
  if (node) await halt(node)
  else log(`${name} is not running`)
  if (purge) await rm(join(root, NODES_DIR, name), { recursive: true, force: true })
  await releaseRoot(root)
  if (node) log(`${node.node} stopped${purge ? ', its data removed' : ''} (${seconds(started)})`)
}

async function halt(node) {
  // A frozen VM (SIGSTOP) cannot answer the CLI: wake it first.
  signal(node.pid, 'SIGCONT')
  await ctl(node.root, node, 'stop').catch(() => {})
  if (!(await exited(node.pid, 30_000))) {
    signal(node.pid, 'SIGKILL')
    await exited(node.pid, 15_000)
  }
}

async function status() {
  requireRoot()
  const nodes = runningNodes()
  log(
    `root folder ${ROOT}: ${installedVersion(ROOT) ? `RabbitMQ ${installedVersion(ROOT)}` : 'not provisioned'}`,
  )
  if (nodes.length === 0) {
    log('no RabbitMQ 4.3 node is running (node scripts/rabbitmq.mjs start)')
    process.exitCode = 1
    return
  }
  for (const node of nodes) {
    const answer = await overview(hostOf(node), node.managementPort)
    const version = answer ? `RabbitMQ ${answer.rabbitmq_version}` : 'not answering'
    console.log(
      `${node.node}  ${version}  amqp ${node.amqpPort}  management ${node.managementPort}  ` +
        `dist ${node.distPort}  prometheus ${node.prometheusPort}  pid ${node.pid}` +
        (node.netns === undefined ? '' : `  netns ${node.netns}`) +
        (node.root === ROOT ? '' : `  root ${node.root}`),
    )
  }
  const members = nodes.filter((node) => node.cluster)
  if (members.length > 0) {
    const view = JSON.parse(
      await ctl(members[0].root, members[0], 'cluster_status', '--formatter', 'json').catch(
        () => '{}',
      ),
    )
    if (view.running_nodes) console.log(`cluster: ${view.running_nodes.sort().join(', ')}`)
  }
}

function printUrls(nodes) {
  console.log(
    `WARREN_AMQP_URL=${nodes.map((node) => `amqp://guest:guest@${hostOf(node)}:${node.amqpPort}`).join(',')}`,
  )
  console.log(
    `WARREN_MANAGEMENT_URL=${nodes.map((node) => `http://${hostOf(node)}:${node.managementPort}`).join(',')}`,
  )
}

// ---- cluster ------------------------------------------------------------------------------------

async function clusterStart() {
  const count = Number(option('nodes', 3))
  const base = port('base-port', 5700)
  if (!Number.isInteger(count) || count < 2 || count > 9) throw new Error('--nodes takes 2 to 9')
  const config = extraConfig()
  const nodes = Array.from({ length: count }, (_, i) => ({
    name: `warren43-${i + 1}`,
    node: `warren43-${i + 1}@localhost`,
    amqpPort: base + i + 1,
    managementPort: base + i + 1 + 10_000,
    distPort: base + i + 1 + 20_000,
    prometheusPort: base + i + 1 + 10_010,
    config,
    cluster: true,
  }))
  requireRoot()
  const running = runningNodes().filter((node) => node.cluster)
  if (running.length > 0) {
    log(`a 4.3 cluster is already running (${running.map((node) => node.node).join(', ')})`)
    await status()
    return
  }
  for (const node of nodes) await assertPlaceFree(node)
  await provision({ quiet: true })
  const started = Date.now()
  try {
    await ensureMounts(ROOT)
    // A fresh cluster each time: a member's old data names a cluster it may no longer belong to.
    await Promise.all(
      nodes.map((node) => rm(join(ROOT, nodeDir(node)), { recursive: true, force: true })),
    )
    await Promise.all(nodes.map((node) => boot(node)))
    const [seed, ...others] = nodes
    for (const node of others) {
      log(`${node.node} joins ${seed.node}`)
      await ctl(ROOT, node, 'stop_app')
      await ctl(ROOT, node, 'join_cluster', seed.node)
      await ctl(ROOT, node, 'start_app')
    }
  } catch (error) {
    log('cluster start failed: stopping what started')
    await clusterStop()
    throw error
  }
  log(`${count}-node RabbitMQ ${installedVersion(ROOT)} cluster ready in ${seconds(started)}`)
  await status()
  printUrls(nodes)
}

async function clusterStop() {
  requireRoot()
  const members = runningNodes().filter((node) => node.cluster)
  await Promise.all(members.map((node) => halt(node)))
  for (const node of members) log(`${node.node} stopped`)
  const roots = new Set([ROOT, ...members.map((node) => node.root)])
  for (const root of roots) {
    const dirs = existsSync(join(root, NODES_DIR)) ? readdirSync(join(root, NODES_DIR)) : []
    for (const name of dirs.filter((entry) => /^warren43-\d+$/.test(entry))) {
      await rm(join(root, NODES_DIR, name), { recursive: true, force: true })
    }
    await releaseRoot(root)
  }
  if (members.length === 0) log('no 4.3 cluster was running')
}

// ---- small helpers ------------------------------------------------------------------------------

/** The management API's overview when it answers as guest, else undefined. */
async function overview(host, managementPort) {
  try {
    const response = await fetch(`http://${host}:${managementPort}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      signal: AbortSignal.timeout(2000),
    })
    return response.ok ? await response.json() : undefined
  } catch {
    return undefined
  }
}

/** True when the port answers the AMQP 0-9-1 header with connection.start. */
function probeAmqp(host, amqpPort) {
  return new Promise((done) => {
    const socket = net.connect({ host, port: amqpPort })
    const finish = (ok) => {
      socket.destroy()
      done(ok)
    }
    socket.setTimeout(1000, () => finish(false))
    socket.on('error', () => finish(false))
    socket.on('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')))
    socket.on('data', (data) => finish(data[0] === 1))
  })
}

function portFree(candidate) {
  return new Promise((done) => {
    const server = net.createServer()
    server.once('error', () => done(false))
    server.listen(candidate, '127.0.0.1', () => server.close(() => done(true)))
  })
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
    await new Promise((done) => setTimeout(done, 100))
  }
}

/** Runs a command with its output in a log file; resolves with its exit code. */
function runLogged(file, args, logFile, timeoutMs) {
  const out = openSync(logFile, 'w')
  return new Promise((done) => {
    const child = spawn(file, args, { stdio: ['ignore', out, out], timeout: timeoutMs })
    child.once('error', () => done(127))
    child.once('exit', (code) => done(code ?? 1))
  })
}

/** Removes a folder without crossing into anything mounted below it (debootstrap mounts /proc). */
async function removeTree(dir) {
  if (!existsSync(dir)) return
  const below = mountPoints().filter((point) => point.startsWith(`${dir}/`))
  for (const point of below.reverse()) await run('umount', ['-l', point]).catch(() => {})
  await run('rm', ['-rf', '--one-file-system', dir])
}

async function tailOf(file, lines) {
  const text = await readFile(file, 'utf8').catch(() => '(missing)')
  return text.trimEnd().split('\n').slice(-lines).join('\n')
}

function firstLine(error) {
  return String(error?.stderr || error?.message || error)
    .trim()
    .split('\n')[0]
}

function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`
}
