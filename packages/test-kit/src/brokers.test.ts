import { describe, expect, it } from 'vitest'
import { brokerFromEnv } from './brokers.js'

describe('the broker under test', () => {
  it("is the machine's broker, as guest, when the environment names none", () => {
    expect(brokerFromEnv({})).toEqual({
      label: 'RabbitMQ at 127.0.0.1:5672',
      amqp: 'amqp://guest:guest@127.0.0.1:5672',
      management: 'http://127.0.0.1:15672',
      prometheus: 'http://127.0.0.1:15692',
      user: 'guest',
      password: 'guest',
      ctl: ['/usr/sbin/rabbitmqctl'],
    })
  })

  it('is the first node of the URL lists the environment names, with its user and rabbitmqctl', () => {
    const broker = brokerFromEnv({
      WARREN_AMQP_URL: ' amqp://app:secret@n1:5682 , amqp://app:secret@n2:5682',
      WARREN_MANAGEMENT_URL: 'http://n1:15682/,http://n2:15682',
      WARREN_PROMETHEUS_URL: 'http://n1:15693/',
      WARREN_MANAGEMENT_USER: 'ops',
      WARREN_MANAGEMENT_PASSWORD: 'hunter2',
      WARREN_RABBITMQCTL: 'node  scripts/rabbitmq.mjs ctl --name warren43',
    })
    expect(broker).toEqual({
      label: 'RabbitMQ at n1:5682',
      amqp: 'amqp://app:secret@n1:5682',
      management: 'http://n1:15682',
      prometheus: 'http://n1:15693',
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
