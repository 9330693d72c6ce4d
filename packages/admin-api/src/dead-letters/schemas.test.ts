import { describe, expect, it } from 'vitest'
import { resourceName } from '../security/names.js'
import { requeueBodySchema } from './schemas.js'

describe('resourceName', () => {
  it.each([
    ['the default vhost', '/'],
    ['a dotted queue name', 'orders.dlq'],
    ['a name with a slash', 'billing/charge.dlq'],
    ['non-ASCII letters', 'ünïcode'],
    ['255 bytes', 'a'.repeat(255)],
  ])('accepts %s', (_, name) => {
    expect(resourceName.safeParse(name).success).toBe(true)
  })

  it.each([
    ['an empty name', ''],
    ['.', '.'],
    ['..', '..'],
    ['a NUL character', 'a\u0000b'],
    ['a line break', 'line\nbreak'],
    ['DEL', 'del\u007f'],
    ['256 bytes', 'a'.repeat(256)],
    ['256 bytes of two-byte letters', 'é'.repeat(128)],
  ])('refuses %s', (_, name) => {
    expect(resourceName.safeParse(name).success).toBe(false)
  })
})

describe('requeueBodySchema', () => {
  it('takes ids or all, never both, and caps the number of ids', () => {
    expect(requeueBodySchema.safeParse({ ids: ['a'] }).success).toBe(true)
    expect(requeueBodySchema.safeParse({ all: true, target: 'orders' }).success).toBe(true)
    expect(requeueBodySchema.safeParse({ ids: ['a'], all: true }).success).toBe(false)
    expect(requeueBodySchema.safeParse({ all: false }).success).toBe(false)
    expect(requeueBodySchema.safeParse({ ids: [] }).success).toBe(false)
    expect(
      requeueBodySchema.safeParse({ ids: Array.from({ length: 10_001 }, String) }).success,
    ).toBe(false)
  })
})
