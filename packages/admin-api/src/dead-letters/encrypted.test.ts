// An SDK service with payload encryption dead-letters a message: the admin API shows it as
// encrypted, by the marks the SDK really writes, and never shows or searches its bytes.
import { randomBytes } from 'node:crypto'
import { connect, defineTopology, NonRetryableError } from '@warren/sdk'
import { HEADERS } from '@warren/sdk/protocol'
import type { TestVhost } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, operator, scopedTestApp } from '../test-support/core.js'
import type { BrowseResult } from './schemas.js'

const SECRET = 'card 4111 1111 1111 1111'

/** What the SDK leaves in the DLQ: a charge its handler refused, sealed with key k1. */
async function deadLetterSealed(vhost: TestVhost) {
  const topology = defineTopology({
    exchanges: { vault: { type: 'topic' } },
    queues: { 'vault.charge': { bindings: [{ exchange: 'vault', routingKey: 'charge' }] } },
  })
  const broker = await connect({
    url: vhost.url,
    topology,
    service: 'encrypted-dead-letter-test',
    encryption: { keys: { k1: randomBytes(32) }, current: 'k1' },
  })
  try {
    await broker.consume('vault.charge', async () => {
      throw new NonRetryableError('Card declined')
    })
    await broker.publish('vault', 'charge', { card: SECRET })
    await eventually(async () => {
      const { messageCount } = await vhost.withChannel((ch) => ch.checkQueue('vault.charge.dlq'))
      return messageCount === 1 ? true : undefined
    })
  } finally {
    await broker.close()
  }
}

describe('an encrypted dead letter from the SDK', () => {
  let scoped: Awaited<ReturnType<typeof scopedTestApp>>
  const browse = async (query = '') => {
    const queue = `${scoped.vhost.encoded}/vault.charge.dlq`
    const path = `/api/dead-letters/${queue}/messages?limit=10${query}`
    const response = await scoped.warren.app.request(path, { headers: operator })
    expect(response.status).toBe(200)
    return (await response.json()) as BrowseResult
  }

  beforeAll(async () => {
    scoped = await scopedTestApp('encrypted-dead-letter', deadLetterSealed)
  })

  afterAll(async () => {
    await scoped?.remove()
  })

  it('is browsed as encrypted, with the key id it was sealed with and no body', async () => {
    const page = await browse()
    expect(page.total).toBe(1)
    const [item] = page.items
    expect(item).toMatchObject({
      reason: 'non-retryable',
      originalQueue: 'vault.charge',
      error: { name: 'NonRetryableError', message: 'Card declined' },
      payload: null,
      payloadEncoding: 'encrypted',
      properties: { contentType: 'application/vnd.warren.encrypted+json' },
      headers: {
        [HEADERS.encryption]: 'aes-256-gcm',
        [HEADERS.encryptionKeyId]: 'k1',
        [HEADERS.encryptedContentType]: 'application/json',
      },
    })
    expect(item?.rawPayload).toBeUndefined()
    expect(item?.notes).toBeUndefined()
  })

  it('is not found by a search for words of its body', async () => {
    expect((await browse('&search=declined')).total).toBe(1)
    expect((await browse(`&search=${encodeURIComponent('4111')}`)).total).toBe(0)
  })
})
