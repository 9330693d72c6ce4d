import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, WarrenError, type Message } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-encryption')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { payments: { type: 'topic' } },
  queues: {
    'payments.card': {
      bindings: [{ exchange: 'payments', routingKey: 'card.charged' }],
      retry: { delays: ['200ms'], maxAttempts: 2 },
    },
    'payments.audit': { bindings: [{ exchange: 'payments', routingKey: 'card.charged' }] },
  },
  messages: { 'card.charged': z.object({ pan: z.string(), amount: z.number() }) },
})

const k1 = randomBytes(32)
const k2 = randomBytes(32)
const SECRET = '4111111111111111'

describe('payload encryption', () => {
  it('sends the body sealed with AES-256-GCM, marked as the admin API expects, and hands handlers the plaintext', async () => {
    const broker = await connect({
      url: vhost.url,
      topology,
      encryption: { keys: { k1 }, current: 'k1' },
    })
    try {
      const seen: Message<{ pan: string; amount: number }>[] = []
      await broker.consume('payments.card', (msg) => {
        seen.push(msg)
      })
      await broker.publish('payments', 'card.charged', { pan: SECRET, amount: 12 })
      await waitFor(() => seen.length === 1, 'the delivery')

      expect(seen[0]?.body).toEqual({ pan: SECRET, amount: 12 })
      expect(JSON.parse(seen[0]?.content.toString() ?? '')).toEqual({ pan: SECRET, amount: 12 })
      // What travels through the broker: the audit queue has no consumer, read it raw.
      const [raw] = await vhost.drain('payments.audit')
      expect(raw?.content.toString('latin1')).not.toContain(SECRET)
      expect(raw?.properties.contentType).toBe('application/vnd.warren.encrypted+json')
      expect(raw?.properties.headers).toMatchObject({
        [HEADERS.encryption]: 'aes-256-gcm',
        [HEADERS.encryptionKeyId]: 'k1',
        [HEADERS.encryptedContentType]: 'application/json',
      })
    } finally {
      await broker.close()
    }
  })

  it('decrypts messages sealed with a retired key after rotation, and seals new ones with the current key', async () => {
    const before = await connect({ url: vhost.url, topology, encryption: { keys: { k1 } } })
    const after = await connect({
      url: vhost.url,
      topology,
      encryption: { keys: { k1, k2 }, current: 'k2' },
    })
    try {
      await before.publish('payments', 'card.charged', { pan: SECRET, amount: 1 })
      await after.publish('payments', 'card.charged', { pan: SECRET, amount: 2 })
      const audit = await vhost.drain('payments.audit')
      expect(audit.map((m) => m.properties.headers?.[HEADERS.encryptionKeyId])).toEqual([
        'k1',
        'k2',
      ])

      const amounts: number[] = []
      await after.consume('payments.card', (msg) => {
        amounts.push(msg.body.amount)
      })
      await waitFor(() => amounts.length === 2, 'both deliveries')
      expect(amounts.sort()).toEqual([1, 2])
    } finally {
      await Promise.all([before.close(), after.close()])
    }
  })

  it('dead-letters a message sealed with a key the consumer does not hold as invalid-payload, still sealed, without running the handler', async () => {
    const sender = await connect({
      url: vhost.url,
      topology,
      encryption: { keys: { k9: randomBytes(32) } },
    })
    const receiver = await connect({
      url: vhost.url,
      topology,
      encryption: { keys: { k1, k2 }, current: 'k2' },
    })
    try {
      let ran = 0
      await receiver.consume('payments.card', () => {
        ran++
      })
      await sender.publish('payments', 'card.charged', { pan: SECRET, amount: 3 })
      await waitFor(async () => (await vhost.count('payments.card.dlq')) === 1, 'the dead letter')
      await vhost.drain('payments.audit')

      const [dead] = await vhost.drain('payments.card.dlq')
      expect(ran).toBe(0)
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'invalid-payload',
        [HEADERS.errorName]: 'WarrenError',
        [HEADERS.errorMessage]:
          "message is encrypted with key id 'k9', which this service does not hold (it holds: k1, k2)",
        [HEADERS.encryptionKeyId]: 'k9',
      })
      expect(dead?.properties.contentType).toBe('application/vnd.warren.encrypted+json')
      expect(dead?.content.toString('latin1')).not.toContain(SECRET)
    } finally {
      await Promise.all([sender.close(), receiver.close()])
    }
  })

  it('dead-letters an altered sealed body as invalid-payload (authentication failed)', async () => {
    const broker = await connect({ url: vhost.url, topology, encryption: { keys: { k1 } } })
    try {
      await broker.publish('payments', 'card.charged', { pan: SECRET, amount: 4 })
      // Take the sealed message off the work queue and put it back with one byte flipped.
      const [sealed] = await vhost.drain('payments.card')
      await vhost.drain('payments.audit')
      const content = Buffer.from(sealed?.content ?? Buffer.alloc(0))
      content[20] = (content[20] ?? 0) ^ 0xff
      const channel = await (await vhost.raw()).createChannel()
      channel.sendToQueue('payments.card', content, sealed?.properties ?? {})
      await channel.close()

      let ran = 0
      await broker.consume('payments.card', () => {
        ran++
      })
      await waitFor(async () => (await vhost.count('payments.card.dlq')) === 1, 'the dead letter')
      const [dead] = await vhost.drain('payments.card.dlq')
      expect(ran).toBe(0)
      expect(dead?.properties.headers?.[HEADERS.errorMessage]).toBe(
        "cannot decrypt message with key id 'k1': authentication failed (wrong key or altered message)",
      )
    } finally {
      await broker.close()
    }
  })

  it('dead-letters a sealed message reaching a consumer that has no keys, naming the option', async () => {
    const sender = await connect({ url: vhost.url, topology, encryption: { keys: { k1 } } })
    const receiver = await connect({ url: vhost.url, topology })
    try {
      await receiver.consume('payments.card', () => {})
      await sender.publish('payments', 'card.charged', { pan: SECRET, amount: 5 })
      await waitFor(async () => (await vhost.count('payments.card.dlq')) === 1, 'the dead letter')
      await vhost.drain('payments.audit')
      const [dead] = await vhost.drain('payments.card.dlq')
      expect(dead?.properties.headers?.[HEADERS.errorMessage]).toBe(
        "message is encrypted with key id 'k1' but this broker has no encryption keys (connect({ encryption }))",
      )
    } finally {
      await Promise.all([sender.close(), receiver.close()])
    }
  })

  it.each([
    [{ keys: { k1: randomBytes(16) } }, "encryption key 'k1' is 16 bytes; AES-256-GCM needs 32"],
    [{ keys: { k1, k2 } }, 'encryption.current must name the key to seal with (one of: k1, k2)'],
    [
      { keys: { k1 }, current: 'k3' },
      "encryption.current is 'k3', which is not among the keys (k1)",
    ],
  ])('refuses to connect with encryption options %#: %s', async (encryption, message) => {
    const error: unknown = await connect({ url: vhost.url, topology, encryption }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WarrenError)
    expect(error).toMatchObject({ code: 'INVALID_OPTIONS', message })
  })
})
