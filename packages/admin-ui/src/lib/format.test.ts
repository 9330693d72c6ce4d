import { describe, expect, it } from 'vitest'
import {
  formatAge,
  formatBytes,
  formatCount,
  formatDelay,
  formatRate,
  prettyPayload,
} from './format.js'

describe('formatting', () => {
  it('shows ages in the largest sensible unit', () => {
    expect(formatAge(0)).toBe('0s')
    expect(formatAge(42_400)).toBe('42s')
    expect(formatAge(5 * 60_000 + 59_000)).toBe('5m')
    expect(formatAge((3 * 60 + 10) * 60_000)).toBe('3h 10m')
    expect(formatAge((2 * 24 + 4) * 3_600_000)).toBe('2d 4h')
  })

  it('shows a dash for an unknown age, and no negative age', () => {
    expect(formatAge(null)).toBe('–')
    expect(formatAge(undefined)).toBe('–')
    expect(formatAge(Number.NaN)).toBe('–')
    expect(formatAge(-5000)).toBe('0s')
  })

  it('shows retry delays below a second in milliseconds', () => {
    expect(formatDelay(200)).toBe('200ms')
    expect(formatDelay(5000)).toBe('5s')
    expect(formatDelay(60_000)).toBe('1m')
  })

  it('shows rates with one decimal below 10/s and none above', () => {
    expect(formatRate(0)).toBe('0/s')
    expect(formatRate(0.25)).toBe('0.3/s')
    expect(formatRate(3.44)).toBe('3.4/s')
    expect(formatRate(56.4)).toBe('56/s')
    expect(formatRate(12_345.6)).toBe('12,346/s')
    expect(formatRate(null)).toBe('–')
  })

  it('groups counts by thousands and sizes in binary units', () => {
    expect(formatCount(10_000)).toBe('10,000')
    expect(formatCount(undefined)).toBe('–')
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KiB')
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MiB')
  })

  it('pretty-prints JSON payloads and leaves other text as it is', () => {
    expect(prettyPayload('{"n":1}')).toBe('{\n  "n": 1\n}')
    expect(prettyPayload({ n: 1 })).toBe('{\n  "n": 1\n}')
    expect(prettyPayload('not json')).toBe('not json')
  })
})
