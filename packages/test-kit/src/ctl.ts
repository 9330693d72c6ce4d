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

/** A client connection as the broker lists it. */
export interface BrokerConnection {
  /** The broker's name of it, e.g. `127.0.0.1:59804 -> 127.0.0.1:5672`. */
  name: string
  /** Its Erlang process, e.g. `<rabbit@localhost.1701.2345.0>`: what closing it takes. */
  pid: string
  /** The name the client gave (`connection_name` client property), if any. */
  clientName: string | undefined
}

/**
 * The connections to `vhost`, by the broker's own answer (`rabbitmqctl list_connections`): exact
 * at once, and there where the management API lists none (a broker without statistics).
 */
export async function connections(
  vhost: string,
  broker: TestBroker = BROKER,
): Promise<BrokerConnection[]> {
  // Tab-separated, as the CLI prints it: JSON would give the pid in a form close_connection
  // refuses (`#PID<…>`), the plain form is what it takes (`<rabbit@host.1701.2345.0>`).
  const out = await rabbitmqctl(
    // `-p` does not narrow list_connections (it lists every vhost's): the vhost column does.
    ['list_connections', 'pid', 'vhost', 'name', 'client_properties', '--no-table-headers', '-s'],
    broker,
  )
  return out
    .split('\n')
    .filter((line) => line.startsWith('<'))
    .map((line) => line.split('\t'))
    .filter(([, of]) => of === vhost)
    .map(([pid = '', , name = '', properties = '']) => ({
      pid,
      name,
      clientName: CONNECTION_NAME.exec(properties)?.[1],
    }))
}

// How the CLI prints the client property: {"connection_name","warren-admin-api"}.
const CONNECTION_NAME = /\{"connection_name","((?:[^"\\]|\\.)*)"\}/

/** Closes one connection, as an operator would (`rabbitmqctl close_connection`). */
export async function closeConnection(
  connection: BrokerConnection,
  broker: TestBroker = BROKER,
): Promise<void> {
  await rabbitmqctl(
    ['close_connection', connection.pid, 'warren test: connection closed on purpose'],
    broker,
  )
}
