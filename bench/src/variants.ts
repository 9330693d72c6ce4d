import { fork, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import type { VariantName } from './clients.js'
import type { ConsumeResult, PublishResult, RunRequest } from './scenarios/timed.js'

/**
 * A variant's own process (variant-process.ts), started once and kept for all its runs so that
 * its warm-up carries over. With BENCH_CPU_PROF set to a folder, each writes a V8 CPU profile
 * in `<folder>/<variant>/` when it exits (`node --cpu-prof`).
 */
export class VariantProcess {
  readonly #child: ChildProcess
  #queue: Promise<unknown> = Promise.resolve()

  constructor(readonly name: VariantName) {
    const profile = process.env.BENCH_CPU_PROF
    this.#child = fork(join(import.meta.dirname, 'variant-process.ts'), [name], {
      execArgv: [
        '--import',
        'tsx',
        '--expose-gc',
        // A folder per variant: its loader thread (tsx) writes a profile there too, the smaller.
        ...(profile
          ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${join(profile, name)}`]
          : []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
  }

  publish(request: Omit<RunRequest, 'kind'>): Promise<PublishResult> {
    return this.#run({ ...request, kind: 'publish' }) as Promise<PublishResult>
  }

  consume(request: Omit<RunRequest, 'kind'>): Promise<ConsumeResult> {
    return this.#run({ ...request, kind: 'consume' }) as Promise<ConsumeResult>
  }

  /** Ends the process once its last run answered (its profile, if any, is written then). */
  async close(): Promise<void> {
    await this.#queue.catch(() => undefined)
    if (this.#child.exitCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.disconnect()
    await exited
  }

  #run(request: RunRequest): Promise<unknown> {
    const next = this.#queue.then(
      () =>
        new Promise((resolve, reject) => {
          const onExit = (code: number | null) =>
            reject(new Error(`variant ${this.name} exited (${code}) during a ${request.kind} run`))
          this.#child.once('exit', onExit)
          this.#child.once(
            'message',
            (answer: { ok: boolean; result?: unknown; error?: string }) => {
              this.#child.off('exit', onExit)
              if (answer.ok) resolve(answer.result)
              else reject(new Error(`variant ${this.name}: ${answer.error}`))
            },
          )
          this.#child.send(request)
        }),
    )
    this.#queue = next.catch(() => undefined)
    return next
  }
}
