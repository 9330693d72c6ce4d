import { gzipSync } from 'node:zlib'
import type { Options } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import type { ArchiveListResult, BrowseResult, DeleteResult, MessageView } from './schemas.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'

// Malformed dead letters among good ones, on the real broker: every page that lists them (browse,
// search, the archive) answers 200 with every message, each bad one shown raw with its note.

let broker: AmqpVhost
let api: ReturnType<typeof createTestApp>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-malformed')
  api = createTestApp(broker.name)
})

afterAll(async () => {
  try {
    await api?.close()
  } finally {
    await broker?.dispose()
  }
})

let nested: unknown = 'bottom'
for (let i = 0; i < 40; i += 1) nested = [nested]

const good = (n: number) => ({
  body: { n },
  options: {
    messageId: `good-${n}`,
    contentType: 'application/json',
    headers: { 'warren-dead-letter-reason': 'max-attempts', 'warren-original-queue': 'orders' },
  },
})

const MB5 = 5 * 1024 * 1024
const messages: Array<{ body: unknown; options: Options.Publish }> = [
  good(1),
  { body: 'stamped', options: { messageId: 'bad-timestamp', timestamp: 1e16 } },
  good(2),
  {
    body: 'failed',
    options: { messageId: 'bad-failed-at', headers: { 'warren-last-failed-at': 1e300 } },
  },
  {
    body: '['.repeat(30_000) + ']'.repeat(30_000),
    options: { messageId: 'bad-deep', contentType: 'application/json' },
  },
  { body: '['.repeat(30_000), options: { messageId: 'bad-open' } },
  { body: Buffer.alloc(MB5, 'x'), options: { messageId: 'bad-5mb' } },
  {
    body: 'odd',
    options: {
      messageId: 'bad-odd-types',
      headers: {
        int8: { '!': 'int8', value: -5 },
        uint8: { '!': 'uint8', value: 255 },
        int16: { '!': 'int16', value: -300 },
        uint16: { '!': 'uint16', value: 65_535 },
        int32: { '!': 'int32', value: -70_000 },
        uint32: { '!': 'uint32', value: 4_000_000_000 },
        int64: { '!': 'int64', value: 2 ** 60 },
        float: { '!': 'float', value: 1.5 },
        double: { '!': 'double', value: 0.1 },
        timestamp: { '!': 'timestamp', value: 2n ** 64n - 1n },
        void: null,
        bytes: Buffer.from([0, 255]),
        boolean: true,
        table: { inner: 'x' },
        array: [1, 'two', [3]],
        nested,
      },
    },
  },
  {
    body: 'forged',
    options: {
      messageId: 'bad-proto',
      // An own `__proto__` key, which amqplib writes as a header like any other.
      headers: JSON.parse(
        '{"__proto__": {"warren-dead-letter-reason": "forged"}, "warren-original-queue": "orders"}',
      ) as Record<string, unknown>,
    },
  },
  good(3),
  {
    body: 'decimal',
    options: {
      messageId: 'odd-decimal',
      headers: { decimal: { '!': 'decimal', value: { places: 2, digits: 1234 } } },
    },
  },
  {
    body: gzipSync(Buffer.from('caf\u00e9', 'latin1')),
    options: {
      messageId: 'gzip-latin1',
      contentType: 'text/plain; charset=iso-8859-1',
      contentEncoding: 'gzip',
    },
  },
]
const ids = messages.map((message) => String(message.options.messageId))

/** What each malformed message must show wherever it is listed; the good ones show no notes. */
function expectShownTruthfully(items: MessageView[]) {
  const byId = new Map(items.map((item) => [item.messageId, item]))
  expect([...byId.keys()].sort()).toEqual([...ids].sort())
  for (const n of [1, 2, 3]) {
    expect(byId.get(`good-${n}`)).toMatchObject({
      reason: 'max-attempts',
      originalQueue: 'orders',
      payload: { n },
      payloadEncoding: 'json',
    })
    expect(byId.get(`good-${n}`)?.notes).toBeUndefined()
  }
  // 1e16 s is 1e19 ms, past 2^63: the archive stream (AMQP 1.0 inside, signed milliseconds)
  // keeps what that wraps to, out of range too. The browse test checks the exact value.
  expect(byId.get('bad-timestamp')?.notes).toEqual([
    expect.stringMatching(/^property timestamp \d+ is out of range: shown as its raw value$/),
  ])
  expect(byId.get('bad-failed-at')).toMatchObject({
    deadLetteredAt: null,
    headers: { 'warren-last-failed-at': 1e300 },
    notes: ['header warren-last-failed-at 1e+300 is out of range: shown as its raw value'],
  })
  for (const id of ['bad-deep', 'bad-open']) {
    expect(byId.get(id)).toMatchObject({
      payloadEncoding: 'text',
      payloadBytes: id === 'bad-deep' ? 60_000 : 30_000,
      notes: ['body nests deeper than 100 levels: shown as text'],
    })
  }
  expect(byId.get('bad-5mb')).toMatchObject({
    payload: 'x'.repeat(64 * 1024),
    payloadTruncated: true,
    payloadBytes: MB5,
  })
  const odd = byId.get('bad-odd-types')
  expect(odd?.headers).toMatchObject({
    int8: -5,
    uint8: 255,
    int16: -300,
    uint16: 65_535,
    int32: -70_000,
    uint32: 4_000_000_000,
    int64: '1152921504606846976',
    float: 1.5,
    double: 0.1,
    timestamp: '18446744073709551615',
    void: null,
    bytes: { base64: 'AP8=' },
    boolean: true,
    table: { inner: 'x' },
    array: [1, 'two', [3]],
  })
  // One note per header, in the order the broker keeps the headers (4.x sorts them by name).
  expect(odd?.notes).toHaveLength(3)
  expect(odd?.notes).toEqual(
    expect.arrayContaining([
      'header int64 1152921504606846976 is beyond 2^53, where JSON numbers round: shown as its digits',
      'header timestamp timestamp 18446744073709551615 is out of range: shown as its raw value',
      expect.stringMatching(/^header nested(\[0\]){31} nests deeper than 32 levels/),
    ]),
  )
  expect(byId.get('odd-decimal')?.headers).toEqual({ decimal: 12.34 })
  const forged = byId.get('bad-proto')
  expect(forged).toMatchObject({ reason: null, originalQueue: 'orders' })
  expect(Object.hasOwn(forged?.headers ?? {}, '__proto__')).toBe(true)
  expect(forged?.headers['__proto__']).toEqual({ 'warren-dead-letter-reason': 'forged' })
  expect(forged?.notes).toEqual([
    'header __proto__ is shown as sent; it stands for no other header',
  ])
  expect(byId.get('gzip-latin1')).toMatchObject({
    payload: 'café',
    payloadEncoding: 'text',
    rawPayload: { decodedWith: ['gzip', 'charset windows-1252'], truncated: false },
  })
}

describe('a dead-letter queue holding malformed messages among good ones', () => {
  const queue = 'malformed.dlq'

  beforeAll(async () => {
    await broker.queue(queue)
    await broker.publish(queue, messages)
  })

  it('is browsed: 200, every message listed, each bad one shown raw with its note', async () => {
    const page = await api.get<BrowseResult>(`${dlqPath(broker.name, queue)}/messages?limit=50`)

    expect(page.status).toBe(200)
    expect(page.body.total).toBe(messages.length)
    expectShownTruthfully(page.body.items)
    expect(page.body.items.find((item) => item.messageId === 'bad-timestamp')).toMatchObject({
      properties: { timestamp: 1e16 },
      notes: ['property timestamp 10000000000000000 is out of range: shown as its raw value'],
    })
  })

  it('is searched: 200, every match listed', async () => {
    const all = await api.get<BrowseResult>(`${dlqPath(broker.name, queue)}/messages?search=-`)
    const decoded = await api.get<BrowseResult>(
      `${dlqPath(broker.name, queue)}/messages?search=caf%C3%A9`,
    )

    expect(all.status).toBe(200)
    expectShownTruthfully(all.body.items)
    expect(decoded.status).toBe(200)
    expect(decoded.body.items.map((item) => item.messageId)).toEqual(['gzip-latin1'])
  })

  it('is deleted into the archive, whose list answers 200 with every message', async () => {
    const deleted = await api.post<DeleteResult>(`${dlqPath(broker.name, queue)}/delete`, {
      ids,
    })
    const archived = await api.get<ArchiveListResult>(
      `/api/archive?vhost=${encodeURIComponent(broker.name)}&queue=${queue}&limit=50`,
    )

    expect(deleted.body).toMatchObject({ deleted: ids.length, notFound: [], failed: [] })
    expect(archived.status).toBe(200)
    expect(archived.body.total).toBe(ids.length)
    expectShownTruthfully(archived.body.items.map((item) => item.message))
  })
})
