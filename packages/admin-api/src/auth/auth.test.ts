import { describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limit.js'
import { createSessionStore } from './sessions.js'
import { createTokenVerifier, safeEqual } from './tokens.js'

describe('tokens', () => {
  it('maps the admin token to operator and the viewer token to viewer, nothing else', () => {
    const tokens = createTokenVerifier({
      admin: 'admin-token-xxxxxxxx',
      viewer: 'viewer-token-xxxxxxx',
    })
    expect(tokens.verify('admin-token-xxxxxxxx')).toEqual({ name: 'admin-token', role: 'operator' })
    expect(tokens.verify('viewer-token-xxxxxxx')).toEqual({ name: 'viewer-token', role: 'viewer' })
    expect(tokens.verify('admin-token-xxxxxxx')).toBeUndefined()
    expect(tokens.verify('')).toBeUndefined()
    expect(safeEqual('a', 'a')).toBe(true)
    expect(safeEqual('a', 'ab')).toBe(false)
  })
})

describe('sessions', () => {
  it('forget a session after its lifetime and on logout', () => {
    let now = 0
    const sessions = createSessionStore(1000, { now: () => now })
    const a = sessions.create({ name: 'admin-token', role: 'operator' })
    const b = sessions.create({ name: 'viewer-token', role: 'viewer' })
    expect(a.id).not.toBe(b.id)
    expect(sessions.get(a.id)?.role).toBe('operator')
    sessions.delete(b.id)
    expect(sessions.get(b.id)).toBeUndefined()
    now = 1000
    expect(sessions.get(a.id)).toBeUndefined()
  })
})

describe('login rate limit', () => {
  it('blocks a key after the limit of failures in the window, then says how long to wait', () => {
    let now = 0
    const limiter = createRateLimiter(2, 60_000, () => now)
    expect(limiter.blocked('ip1')).toBe(0)
    limiter.fail('ip1')
    expect(limiter.blocked('ip1')).toBe(0)
    limiter.fail('ip1')
    expect(limiter.blocked('ip1')).toBe(60)
    expect(limiter.blocked('ip2')).toBe(0)
    now = 45_000
    expect(limiter.blocked('ip1')).toBe(15)
    now = 60_000
    expect(limiter.blocked('ip1')).toBe(0)
  })
})
