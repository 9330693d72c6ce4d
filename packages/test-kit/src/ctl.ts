import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { BROKER, type TestBroker } from './brokers.js'

const run = promisify(execFile)

/**
 * Runs `rabbitmqctl ...args` against `broker` through its `ctl` command and resolves with its
 * output. For what must act at once (closing connections): the management API sees a new
 * connection only after its next statistics tick.
 *
 * @example
 * await rabbitmqctl(['close_all_connections', '-p', vhost.name, 'test: cut'])
 */
export async function rabbitmqctl(
  args: readonly string[],
  broker: TestBroker = BROKER,
): Promise<string> {
  const [command, ...prefix] = broker.ctl
  if (!command) throw new Error(`${broker.label}: no rabbitmqctl command`)
  try {
    const { stdout } = await run(command, [...prefix, ...args], { timeout: 120_000 })
    return stdout
  } catch (error) {
    const stderr = (error as { stderr?: unknown }).stderr
    throw new Error(
      `${broker.label}: ${broker.ctl.join(' ')} ${args.join(' ')} failed` +
        (stderr ? `: ${String(stderr).trim()}` : ''),
      { cause: error },
    )
  }
}
