import { describe, expect, it } from 'vitest'
import { MetricsHistory } from '../stats/history.js'
import { defaultPrometheusUrls, mergeReadings, parseExposition } from './prometheus.js'

// What RabbitMQ 4.3's /metrics/detailed prints for one queue (labels as the plugin writes them).
const NODE_A = `# TYPE rabbitmq_detailed_queue_messages gauge
rabbitmq_detailed_queue_messages{vhost="shop",queue="orders.dlq"} 3
rabbitmq_detailed_queue_messages_ready{vhost="shop",queue="orders.dlq"} 2
rabbitmq_detailed_queue_messages_unacked{vhost="shop",queue="orders.dlq"} 1
rabbitmq_detailed_queue_head_message_timestamp{vhost="shop",queue="orders.dlq"} 1796244621
rabbitmq_detailed_queue_head_message_timestamp{vhost="shop",queue="empty"} NaN
rabbitmq_detailed_queue_messages_delivered_ack_total{vhost="shop",queue="orders.dlq"} 10
rabbitmq_detailed_queue_get_total{vhost="shop",queue="orders.dlq"} 2
rabbitmq_detailed_queue_messages_acked_total{vhost="shop",queue="orders.dlq"} 9
rabbitmq_detailed_queue_exchange_messages_published_total{vhost="shop",exchange="",queue="orders.dlq"} 12
rabbitmq_detailed_exchange_messages_published_total{vhost="shop",exchange=""} 12
rabbitmq_detailed_queue_messages{vhost="odd \\"name\\"",queue="q"} 1
`
// A replica's node: the same depth again, and publishes its own channels made.
const NODE_B = `rabbitmq_detailed_queue_messages{vhost="shop",queue="orders.dlq"} 3
rabbitmq_detailed_queue_exchange_messages_published_total{vhost="shop",exchange="",queue="orders.dlq"} 5
`

describe('the Prometheus plugin reading', () => {
  it("reads a queue's depths, counters and head timestamp; NaN and comments are no figure", () => {
    const reading = parseExposition(NODE_A)
    expect(reading.queues.get('shop\u0000orders.dlq')).toEqual({
      messages: 3,
      ready: 2,
      unacked: 1,
      consumers: 0,
      published: 12,
      delivered: 12,
      acked: 9,
      redelivered: 0,
      headTimestamp: 1796244621,
    })
    expect(reading.queues.has('shop\u0000empty')).toBe(false)
    expect(reading.queues.get('odd "name"\u0000q')?.messages).toBe(1)
    expect(reading.published).toBe(12)
  })

  it("adds up the nodes' counters but takes a queue's depth once", () => {
    const merged = mergeReadings([parseExposition(NODE_A), parseExposition(NODE_B)])
    expect(merged.queues.get('shop\u0000orders.dlq')).toMatchObject({ messages: 3, published: 17 })
  })

  it("is looked for on each management host's port 15692 unless configured", () => {
    expect(defaultPrometheusUrls(['http://u:p@rabbit-1:15672', 'https://[::1]:15672'])).toEqual([
      'http://rabbit-1:15692',
      'https://[::1]:15692',
    ])
  })
})

describe('the history kept of readings', () => {
  const reading = (published: number) =>
    parseExposition(
      `rabbitmq_detailed_queue_exchange_messages_published_total{vhost="v",queue="q"} ${published}\n`,
    )
  const published = (r: ReturnType<typeof parseExposition>) => r.queues.get('v\u0000q')?.published

  it('gives per-second rates over at least 5 s, and 0 after a counter went back', () => {
    const history = new MetricsHistory()
    history.add({ t: 0, reading: reading(0) })
    history.add({ t: 2_000, reading: reading(10) })
    expect(history.rate(published)).toBe(0) // less than 5 s apart
    history.add({ t: 10_000, reading: reading(50) })
    expect(history.rate(published)).toBe(5)
    history.add({ t: 20_000, reading: reading(3) }) // the queue was declared again
    expect(history.rate(published)).toBe(0)
  })

  it('keeps one reading per 10 s step and gives the samples of a window, oldest first', () => {
    const history = new MetricsHistory()
    for (let t = 0; t <= 60_000; t += 5_000) history.add({ t, reading: reading(t / 1000) })
    const samples = history.samples(published, { ageSeconds: 30, incrSeconds: 10 })
    expect(samples.map((s) => s.timestamp)).toEqual([30_000, 40_000, 50_000, 60_000])
    expect(samples.map((s) => s.sample)).toEqual([30, 40, 50, 60])
  })
})
