import { describe, expect, it } from 'vitest'
import { fingerprint, normaliseMessage, ownFrame } from './fingerprint.js'

const stack = (frames: string[]) =>
  ['Error: boom', ...frames.map((frame) => `    at ${frame}`)].join('\n')

const ownStack = stack([
  'chargeCard (/app/dist/billing/charge.js:41:11)',
  'async Consumer.run (/app/node_modules/@warren/sdk/dist/consume.js:88:5)',
])

describe('normaliseMessage', () => {
  it('replaces ids, numbers, quoted values, timestamps and e-mail addresses', () => {
    expect(
      normaliseMessage(
        'Order 4711 of "ann@example.com" (id 0b8f2c1d-5a7e-4c3b-9d1e-2f6a8b9c0d1e, ' +
          "ref 5f3a9c0e2b7d) failed at 2026-12-03T10:15:30.123Z: can't charge 12.50",
      ),
    ).toBe("Order <n> of <str> (id <uuid>, ref <hex>) failed at <time>: can't charge <n>")
  })

  it('collapses whitespace', () => {
    expect(normaliseMessage('  timeout \n after\t30 s ')).toBe('timeout after <n> s')
  })

  it('takes e-mail addresses outside quotes too', () => {
    expect(normaliseMessage('no account for bob.smith+x@mail.example.org')).toBe(
      'no account for <email>',
    )
  })
})

describe('ownFrame', () => {
  it('skips node_modules and node internals and drops the line and column', () => {
    const frames = stack([
      'Socket.emit (node:events:519:28)',
      'Parser.parse (/app/node_modules/pg/lib/parser.js:10:3)',
      'processTicksAndRejections (node:internal/process/task_queues:95:5)',
      'handleOrder (/app/dist/orders/handle.js:17:9)',
    ])
    expect(ownFrame(frames)).toBe('at handleOrder (/app/dist/orders/handle.js)')
  })

  it('is empty without a stack', () => {
    expect(ownFrame(undefined)).toBe('')
  })
})

describe('fingerprint', () => {
  const base = {
    errorName: 'PaymentDeclined',
    errorMessage: 'Card declined for order 1001 (customer 7c1e9a2b44d0)',
    stack: ownStack,
    originalQueue: 'billing',
  }

  it('is a 16-character hex key', () => {
    expect(fingerprint(base)).toMatch(/^[0-9a-f]{16}$/)
  })

  it('is the same for the same error with different ids', () => {
    const other = {
      ...base,
      errorMessage: 'Card declined for order 2002 (customer 99aa00bb11cc)',
      stack: ownStack.replace(':41:11', ':43:7'),
    }
    expect(fingerprint(other)).toBe(fingerprint(base))
  })

  it('differs for a different error name', () => {
    expect(fingerprint({ ...base, errorName: 'PaymentTimeout' })).not.toBe(fingerprint(base))
  })

  it('differs for a different original queue', () => {
    expect(fingerprint({ ...base, originalQueue: 'refunds' })).not.toBe(fingerprint(base))
  })

  it('differs when the service threw from elsewhere in its own code', () => {
    const elsewhere = ownStack.replace(
      'chargeCard (/app/dist/billing/charge.js',
      'refund (/app/dist/billing/refund.js',
    )
    expect(fingerprint({ ...base, stack: elsewhere })).not.toBe(fingerprint(base))
  })

  it('skips frames from node_modules, so a library upgrade keeps the group', () => {
    const before = stack([
      'Parser.parse (/app/node_modules/pg/lib/parser.js:10:3)',
      'chargeCard (/app/dist/billing/charge.js:41:11)',
    ])
    const after = stack([
      'Reader.read (/app/node_modules/pg/lib/reader.js:77:1)',
      'Parser.parse (/app/node_modules/pg/lib/parser.js:12:9)',
      'chargeCard (/app/dist/billing/charge.js:41:11)',
    ])
    expect(fingerprint({ ...base, stack: after })).toBe(fingerprint({ ...base, stack: before }))
  })
})
