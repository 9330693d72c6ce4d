import { describe, expect, it } from 'vitest'
import { uuidv7 } from './uuid.js'

describe('uuidv7', () => {
  it('has version 7, the RFC variant and the millisecond timestamp in front', () => {
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678)
    const id = uuidv7(at)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at)
  })

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => uuidv7()))
    expect(ids.size).toBe(10_000)
  })
})
