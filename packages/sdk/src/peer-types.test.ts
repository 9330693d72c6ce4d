import { execFile } from 'node:child_process'
import {
  mkdtemp,
  mkdir,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const sdk = dirname(import.meta.dirname)
const OPTIONAL_PEERS = ['prom-client', '@opentelemetry/api', 'zod']

/** A service's use of the SDK's types, metrics and tracing included, with no optional peer installed. */
const SERVICE = `
import { connect, defineTopology, type ConnectOptions, type StandardSchemaV1 } from '@warren/sdk'
import { HEADERS } from '@warren/sdk/protocol'
import { FakeBroker } from '@warren/sdk/testing'

const order: StandardSchemaV1<{ orderId: string }> = {
  '~standard': { version: 1, vendor: 'none', validate: (value) => ({ value: value as { orderId: string } }) },
}
const topology = defineTopology({
  queues: { 'billing.charge': { retry: false } },
  messages: { 'billing.charge': order },
})
const options: ConnectOptions<typeof topology> = { topology, metrics: true, tracing: true }
export async function main(): Promise<string | undefined> {
  const broker = await connect(options)
  await broker.publish('', 'billing.charge', { orderId: 'o-1' })
  const fake = new FakeBroker({ topology })
  await fake.close()
  return (await broker.metrics?.metrics()) ?? HEADERS.traceparent
}
`

/** Every `.d.ts` under `folder`, by path. */
async function declarations(folder: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const entry of await readdir(folder, { recursive: true })) {
    if (entry.endsWith('.d.ts')) files.set(entry, await readFile(join(folder, entry), 'utf8'))
  }
  return files
}

describe("the SDK's built declarations without its optional peers (prom-client, OpenTelemetry, zod)", () => {
  let project: string
  let dist: string

  beforeAll(async () => {
    // A project outside the workspace: no node_modules above it holds an optional peer.
    project = await mkdtemp(join(tmpdir(), 'warren-peer-types-'))
    const modules = join(project, 'node_modules')
    const installed = join(modules, '@warren', 'sdk')
    dist = join(installed, 'dist')
    const tsc = join(sdk, 'node_modules', 'typescript', 'bin', 'tsc')
    await run(process.execPath, [
      tsc,
      ...['-p', join(sdk, 'tsconfig.build.json'), '--emitDeclarationOnly', '--outDir', dist],
    ])
    const manifest = JSON.parse(await readFile(join(sdk, 'package.json'), 'utf8')) as {
      publishConfig: { exports: unknown }
    }
    const published = {
      name: '@warren/sdk',
      type: 'module',
      exports: manifest.publishConfig.exports,
    }
    await writeFile(join(installed, 'package.json'), JSON.stringify(published))
    // The SDK's own dependencies, as an install would bring them.
    for (const name of ['amqplib', 'croner', '@types/node', 'typescript']) {
      await mkdir(dirname(join(modules, name)), { recursive: true })
      await symlink(await realpath(join(sdk, 'node_modules', name)), join(modules, name))
    }
    await writeFile(join(project, 'service.ts'), SERVICE)
    const compilerOptions = {
      strict: true,
      exactOptionalPropertyTypes: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      target: 'ES2022',
      skipLibCheck: false,
      noEmit: true,
      types: ['node'],
    }
    const tsconfig = { compilerOptions, files: ['service.ts'] }
    await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig))
    await writeFile(join(project, 'package.json'), JSON.stringify({ type: 'module' }))
  }, 120_000)

  afterAll(async () => {
    if (project) await rm(project, { recursive: true, force: true })
  })

  it('name none of them', async () => {
    const files = await declarations(dist)
    expect(files.size).toBeGreaterThan(10)
    const naming = [...files].filter(([, text]) =>
      OPTIONAL_PEERS.some((peer) => text.includes(`'${peer}'`) || text.includes(`"${peer}"`)),
    )
    expect(naming.map(([path]) => path)).toEqual([])
  })

  it('type-check a service with skipLibCheck false', async () => {
    const tsc = join(project, 'node_modules', 'typescript', 'bin', 'tsc')
    const result = await run(process.execPath, [tsc, '-p', project]).then(
      ({ stdout }) => ({ ok: true, output: stdout }),
      (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
    )
    expect(result).toEqual({ ok: true, output: '' })
  }, 120_000)
})
