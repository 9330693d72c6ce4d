import { fileURLToPath } from 'node:url'

/** A RabbitMQ node tests run on: where it answers, as whom, and how to control it. */
export interface TestBroker {
  /** What test names and errors call it, e.g. `RabbitMQ at 127.0.0.1:5672`. */
  label: string
  /** AMQP URL of the node without a vhost, credentials included. */
  amqp: string
  /** Management API base URL, without `/api` and without a trailing slash. */
  management: string
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
  /** @default 'guest' */
  WARREN_MANAGEMENT_USER: 'guest',
  /** @default 'guest' */
  WARREN_MANAGEMENT_PASSWORD: 'guest',
  /** Words split at blanks (no quoting). @default '/usr/sbin/rabbitmqctl' */
  WARREN_RABBITMQCTL: '/usr/sbin/rabbitmqctl',
  /** @default 'amqp://guest:guest@127.0.0.1:5682' (`pnpm rabbitmq start`) */
  WARREN_TEST_AMQP_URL_4_3: 'amqp://guest:guest@127.0.0.1:5682',
  /** @default 'http://127.0.0.1:15682' */
  WARREN_TEST_MANAGEMENT_URL_4_3: 'http://127.0.0.1:15682',
  /** @default `node scripts/rabbitmq.mjs ctl --name warren43`, by absolute paths */
  WARREN_TEST_RABBITMQCTL_4_3: `${process.execPath} ${fileURLToPath(
    new URL('../../../scripts/rabbitmq.mjs', import.meta.url),
  )} ctl --name warren43`,
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
 * The broker under test, as `env` names it: `WARREN_AMQP_URL`, `WARREN_MANAGEMENT_URL` (each the
 * first of a comma-separated list), `WARREN_MANAGEMENT_USER`, `WARREN_MANAGEMENT_PASSWORD` and
 * `WARREN_RABBITMQCTL`, each defaulting to the machine's broker (see `DEFAULTS`).
 *
 * @example
 * // The same tests on the 4.3 node, with nothing but the environment changed:
 * // WARREN_AMQP_URL=amqp://guest:guest@127.0.0.1:5682 WARREN_MANAGEMENT_URL=http://127.0.0.1:15682 \
 * // WARREN_RABBITMQCTL="node scripts/rabbitmq.mjs ctl --name warren43" pnpm vitest run
 */
export function brokerFromEnv(env: Env = process.env): TestBroker {
  const amqp = first(read(env, 'WARREN_AMQP_URL'))
  return {
    label: `RabbitMQ at ${hostOf(amqp)}`,
    amqp,
    management: first(read(env, 'WARREN_MANAGEMENT_URL')).replace(/\/+$/, ''),
    user: read(env, 'WARREN_MANAGEMENT_USER'),
    password: read(env, 'WARREN_MANAGEMENT_PASSWORD'),
    ctl: words(read(env, 'WARREN_RABBITMQCTL')),
  }
}

/**
 * The RabbitMQ 4.3 node beside the broker under test (`pnpm rabbitmq start`, which CI runs), for
 * tests that compare the two lines: `WARREN_TEST_AMQP_URL_4_3`, `WARREN_TEST_MANAGEMENT_URL_4_3`
 * and `WARREN_TEST_RABBITMQCTL_4_3`; guest/guest, as the node allows from 127.0.0.1.
 */
export function broker43FromEnv(env: Env = process.env): TestBroker {
  const amqp = first(read(env, 'WARREN_TEST_AMQP_URL_4_3'))
  return {
    label: `RabbitMQ 4.3 at ${hostOf(amqp)}`,
    amqp,
    management: first(read(env, 'WARREN_TEST_MANAGEMENT_URL_4_3')).replace(/\/+$/, ''),
    user: 'guest',
    password: 'guest',
    ctl: words(read(env, 'WARREN_TEST_RABBITMQCTL_4_3')),
  }
}

/** The broker under test, read from this process's environment. */
export const BROKER: TestBroker = brokerFromEnv()

/** The RabbitMQ 4.3 node, read from this process's environment. */
export const BROKER_4_3: TestBroker = broker43FromEnv()
