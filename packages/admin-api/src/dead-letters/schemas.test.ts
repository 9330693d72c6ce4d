import { describe, expect, it } from 'vitest'
import { nameSchema, requeueBodySchema } from './schemas.js'

describe('nameSchema', () => {
  it.each(['/', 'orders.dlq', 'billing/charge.dlq', 'ünïcode', 'a'.repeat(255)])(
    'accepts %j',
    (name) => {
      expect(nameSchema.safeParse(name).success).toBe(true)
    },
  )

  it.each([
    '',
    '.',
    '..',
    'a\u0000b',
    'line\nbreak',
    'del\u007f',
    'a'.repeat(256),
    'é'.repeat(128),
  ])('refuses %j', (name) => {
    expect(nameSchema.safeParse(name).success).toBe(false)
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
