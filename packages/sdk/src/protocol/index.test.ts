import { readdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { copyProperties, ENCRYPTED_CONTENT_TYPE, HEADERS, isEncrypted } from './index.js'

describe('protocol', () => {
  it('imports nothing outside its own folder, so a browser bundle can take it', async () => {
    const folder = new URL('.', import.meta.url)
    const files = (await readdir(folder)).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    )
    const imported: string[] = []
    for (const file of files) {
      const source = await readFile(new URL(file, folder), 'utf8')
      for (const [, from] of source.matchAll(/\bfrom\s+'([^']+)'/g)) imported.push(from ?? '')
    }
    expect(imported.length).toBeGreaterThan(0)
    expect(imported.filter((from) => !/^\.\/[\w-]+\.js$/.test(from))).toEqual([])
  })

  it('copies every property a copy keeps, as received, and none that is unset', () => {
    const received = {
      contentType: 'application/json',
      contentEncoding: undefined,
      deliveryMode: 2,
      priority: 3,
      correlationId: 'c-1',
      replyTo: 'amq.rabbitmq.reply-to',
      expiration: '6000',
      messageId: 'm-1',
      timestamp: 1_700_000_000,
      type: 'order.placed',
      appId: 'shop',
      userId: 'guest',
      headers: { a: 1 },
    }
    const { contentEncoding: _unset, userId: _refused, headers: _own, ...copied } = received
    expect(copyProperties(received)).toEqual(copied)
  })

  it('leaves out the properties the caller sets itself', () => {
    const copy = copyProperties({ messageId: 'm-1', expiration: '10', replyTo: 'q' }, [
      'expiration',
      'replyTo',
    ])
    expect(copy).toEqual({ messageId: 'm-1' })
  })

  it('knows a sealed message by its content type or by its encryption header', () => {
    expect(isEncrypted(`${ENCRYPTED_CONTENT_TYPE}+json`, {})).toBe(true)
    expect(isEncrypted('application/octet-stream', { [HEADERS.encryption]: 'aes-256-gcm' })).toBe(
      true,
    )
    expect(isEncrypted('application/json', { 'warren-encrypted': true })).toBe(false)
  })
})
