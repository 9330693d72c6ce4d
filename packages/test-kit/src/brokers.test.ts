import { describe, expect, it } from 'vitest'
import { broker43FromEnv, brokerFromEnv } from './brokers.js'

describe('the broker under test', () => {
  it("is the machine's broker, as guest, when the environment names none", () => {
    expect(brokerFromEnv({})).toEqual({
      label: 'RabbitMQ at 127.0.0.1:5672',
      amqp: 'amqp://guest:guest@127.0.0.1:5672',
      management: 'http://127.0.0.1:15672',
      user: 'guest',
      password: 'guest',
      ctl: ['/usr/sbin/rabbitmqctl'],
    })
  })

  it('is the first node of the URL lists the environment names, with its user and rabbitmqctl', () => {
    const broker = brokerFromEnv({
      WARREN_AMQP_URL: ' amqp://app:secret@n1:5682 , amqp://app:secret@n2:5682',
      WARREN_MANAGEMENT_URL: 'http://n1:15682/,http://n2:15682',
      WARREN_MANAGEMENT_USER: 'ops',
      WARREN_MANAGEMENT_PASSWORD: 'hunter2',
      WARREN_RABBITMQCTL: 'node  scripts/rabbitmq.mjs ctl --name warren43',
    })
    expect(broker).toEqual({
      label: 'RabbitMQ at n1:5682',
      amqp: 'amqp://app:secret@n1:5682',
      management: 'http://n1:15682',
      user: 'ops',
      password: 'hunter2',
      ctl: ['node', 'scripts/rabbitmq.mjs', 'ctl', '--name', 'warren43'],
    })
  })

  it('takes an empty variable for one that is not set', () => {
    expect(brokerFromEnv({ WARREN_AMQP_URL: '', WARREN_RABBITMQCTL: ' ' })).toMatchObject({
      amqp: 'amqp://guest:guest@127.0.0.1:5672',
      ctl: ['/usr/sbin/rabbitmqctl'],
    })
  })
})

describe('the RabbitMQ 4.3 node', () => {
  it("is `pnpm rabbitmq start`'s node, controlled through the script's ctl, by default", () => {
    const broker = broker43FromEnv({})
    expect(broker).toMatchObject({
      label: 'RabbitMQ 4.3 at 127.0.0.1:5682',
      amqp: 'amqp://guest:guest@127.0.0.1:5682',
      management: 'http://127.0.0.1:15682',
    })
    expect(broker.ctl.slice(1)).toEqual([
      expect.stringMatching(/\/scripts\/rabbitmq\.mjs$/),
      'ctl',
      '--name',
      'warren43',
    ])
  })

  it('is wherever WARREN_TEST_*_4_3 point', () => {
    expect(
      broker43FromEnv({
        WARREN_TEST_AMQP_URL_4_3: 'amqp://guest:guest@elsewhere:5672',
        WARREN_TEST_MANAGEMENT_URL_4_3: 'http://elsewhere:15672',
        WARREN_TEST_RABBITMQCTL_4_3: 'ssh elsewhere rabbitmqctl',
      }),
    ).toMatchObject({
      amqp: 'amqp://guest:guest@elsewhere:5672',
      management: 'http://elsewhere:15672',
      ctl: ['ssh', 'elsewhere', 'rabbitmqctl'],
    })
  })
})
