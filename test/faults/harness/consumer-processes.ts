import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** One message a child finished. */
export interface Consumed {
  id: string
  /** The broker had delivered it before (to a process that died holding it, for instance). */
  redelivered: boolean
}

/** A consumer-process.ts child: what it consumed so far, and how to end it. */
export interface ConsumerProcess {
  readonly pid: number
  /** What the child finished, in order (read from its output file). */
  consumed(): Promise<Consumed[]>
  /** `kill -9`: no goodbye, no acks for what is in flight. */
  kill(): Promise<void>
  /** SIGTERM (a graceful close), then SIGKILL if it lingers. Safe after kill(). */
  stop(): Promise<void>
}

/** Starts a consuming child process on `url` and resolves once it consumes. */
export async function startConsumerProcess(
  url: string,
  { prefetch = 200 }: { prefetch?: number } = {},
): Promise<ConsumerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'warren-faults-consumer-'))
  const out = join(dir, 'consumed.txt')
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'consumer-process.ts')], {
    // `tsx` resolves from the test package.
    cwd: join(here, '../..'),
    env: { ...process.env, FAULTS_URL: url, FAULTS_OUT: out, FAULTS_PREFETCH: String(prefetch) },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  try {
    await ready(child)
  } catch (error) {
    child.kill('SIGKILL')
    await exited
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  // A line is complete once its newline is there: the child may be killed mid-write.
  const read = async (): Promise<Consumed[]> =>
    (await readFile(out, 'utf8').catch(() => ''))
      .split('\n')
      .slice(0, -1)
      .map((line) => {
        const [id = '', how] = line.split('\t')
        return { id, redelivered: how === 'redelivered' }
      })
  // After stop() the folder is gone: what it held is kept here.
  let final: Consumed[] | undefined
  return {
    pid: child.pid as number,
    consumed: async () => final ?? (await read()),
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
        await exited
        clearTimeout(timer)
      }
      final ??= await read()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('consumer process not ready in 60s')), 60_000)
    child.stdout?.on('data', (data: Buffer) => {
      if (data.toString().includes('ready')) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`consumer process exited (${code}) before it was ready`))
    })
  })
}
