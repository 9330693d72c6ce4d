/** A RabbitMQ node tests run on: where it answers, as whom, and how to control it. */
export interface TestBroker {
  /** What test names and errors call it, e.g. `RabbitMQ at 127.0.0.1:5672`. */
  label: string
  /** AMQP URL of the node without a vhost, credentials included. */
  amqp: string
  /** Management API base URL, without `/api` and without a trailing slash. */
  management: string
  /** The Prometheus plugin's base URL (what the admin API reads on a broker without statistics). */
  prometheus: string
  /** Management API user. */
  user: string
  password: string
  /** The command that runs `rabbitmqctl` against this node: argv, its arguments are appended. */
  ctl: readonly string[]
}

type Env = Record<string, string | undefined>

/** Every default in one place, as the environment would spell it. */
export const DEFAULTS = {
  /** @default 'amqp://guest:guest@127.0.0.1:5672' (the first of a comma-separated list) */
  WARREN_AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
  /** @default 'http://127.0.0.1:15672' (the first of a comma-separated list) */
  WARREN_MANAGEMENT_URL: 'http://127.0.0.1:15672',
  /** @default 'http://127.0.0.1:15692' (the first of a comma-separated list) */
  WARREN_PROMETHEUS_URL: 'http://127.0.0.1:15692',
  /** @default 'guest' */
  WARREN_MANAGEMENT_USER: 'guest',
  /** @default 'guest' */
  WARREN_MANAGEMENT_PASSWORD: 'guest',
  /** Words split at blanks (no quoting). @default '/usr/sbin/rabbitmqctl' */
  WARREN_RABBITMQCTL: '/usr/sbin/rabbitmqctl',
} as const

type Variable = keyof typeof DEFAULTS

const read = (env: Env, name: Variable) => env[name]?.trim() || DEFAULTS[name]
const first = (list: string) =>
  list
    .split(',')
    .map((item) => item.trim())
    .find(Boolean) ?? ''
const words = (command: string) => command.trim().split(/\s+/).filter(Boolean)
const hostOf = (url: string) => new URL(url).host

/**
 * The broker under test, as `env` names it: `WARREN_AMQP_URL`, `WARREN_MANAGEMENT_URL`,
 * `WARREN_PROMETHEUS_URL` (each the first of a comma-separated list), `WARREN_MANAGEMENT_USER`, `WARREN_MANAGEMENT_PASSWORD` and
 * `WARREN_RABBITMQCTL`, each defaulting to the machine's broker (see `DEFAULTS`).
 *
 * @example
 * // The same tests on the 4.3 node, with nothing but the environment changed:
 * // WARREN_AMQP_URL=amqp://guest:guest@127.0.0.1:5682 WARREN_MANAGEMENT_URL=http://127.0.0.1:15682 \
 * // WARREN_PROMETHEUS_URL=http://127.0.0.1:15693 WARREN_RABBITMQCTL="node scripts/rabbitmq.mjs ctl --name warren43" pnpm vitest run
 */
export function brokerFromEnv(env: Env = process.env): TestBroker {
  const amqp = first(read(env, 'WARREN_AMQP_URL'))
  return {
    label: `RabbitMQ at ${hostOf(amqp)}`,
    amqp,
    management: first(read(env, 'WARREN_MANAGEMENT_URL')).replace(/\/+$/, ''),
    prometheus: first(read(env, 'WARREN_PROMETHEUS_URL')).replace(/\/+$/, ''),
    user: read(env, 'WARREN_MANAGEMENT_USER'),
    password: read(env, 'WARREN_MANAGEMENT_PASSWORD'),
    ctl: words(read(env, 'WARREN_RABBITMQCTL')),
  }
}

/** The broker under test, read from this process's environment. */
export const BROKER: TestBroker = brokerFromEnv()
