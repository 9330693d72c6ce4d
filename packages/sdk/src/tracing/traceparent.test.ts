import { describe, expect, it } from 'vitest'
import { formatTraceParent, parseTraceParent } from './traceparent.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const SPAN = '00f067aa0ba902b7'

describe('traceparent', () => {
  it('formats and reads back a version-00 header', () => {
    const header = formatTraceParent(TRACE, SPAN, 1)
    expect(header).toBe(`00-${TRACE}-${SPAN}-01`)
    expect(parseTraceParent(header)).toEqual({ traceId: TRACE, spanId: SPAN, traceFlags: 1 })
    expect(parseTraceParent(Buffer.from(header))).toEqual({
      traceId: TRACE,
      spanId: SPAN,
      traceFlags: 1,
    })
  })

  it.each([
    ['garbage', 'not-a-traceparent'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-${SPAN}-01`],
    ['an all-zero span id', `00-${TRACE}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE.toUpperCase()}-${SPAN}-01`],
    ['a number', 42],
  ])('ignores %s', (_, value) => {
    expect(parseTraceParent(value)).toBeUndefined()
  })
})
