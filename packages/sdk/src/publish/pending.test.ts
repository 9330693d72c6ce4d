import { describe, expect, it } from 'vitest'
import { InFlight, Pending } from './pending.js'

function pendingOf(id: string): Pending {
  const options = { messageId: id, persistent: true }
  const pending = new Pending('orders', 'order.created', Buffer.from(id), options, 0, 1000)
  // Settled by the tests that take it; a record nobody answers must not reject unhandled.
  pending.promise.catch(() => undefined)
  return pending
}

/** Sends `ids` on a fresh window: delivery tags 1, 2, 3 ... in that order. */
function sent(ids: string[]): InFlight {
  const inFlight = new InFlight()
  for (const id of ids) inFlight.add(pendingOf(id))
  return inFlight
}

function take(inFlight: InFlight, tag: number, multiple: boolean): string[] {
  const answered: string[] = []
  inFlight.take(tag, multiple, (pending) => answered.push(pending.options.messageId))
  return answered
}

describe('publishes in flight, by delivery tag', () => {
  it('answers a multiple confirm with every tag up to it, once each, in the order sent', () => {
    const inFlight = sent(['a', 'b', 'c', 'd', 'e'])
    expect(take(inFlight, 2, false)).toEqual(['b'])
    expect(take(inFlight, 4, true)).toEqual(['a', 'c', 'd'])
    expect(take(inFlight, 4, true)).toEqual([])
    expect(inFlight.size).toBe(1)
    expect(take(inFlight, 5, false)).toEqual(['e'])
    expect(inFlight.size).toBe(0)
  })

  it('keeps what is unanswered for the next channel, in the order sent, and counts from 1 again', () => {
    const inFlight = sent(['a', 'b', 'c', 'd'])
    take(inFlight, 1, false)
    take(inFlight, 3, false)
    expect(inFlight.takeAll().map((p) => p.options.messageId)).toEqual(['b', 'd'])
    inFlight.add(pendingOf('x'))
    expect(take(inFlight, 1, false)).toEqual(['x'])
  })

  it('takes out only the publishes a channel error refuses', () => {
    const inFlight = sent(['a', 'big', 'c'])
    const refused = inFlight.fail((p) =>
      p.options.messageId === 'big' ? new Error('too large') : undefined,
    )
    expect(refused.map(([p, error]) => [p.options.messageId, error.message])).toEqual([
      ['big', 'too large'],
    ])
    expect(take(inFlight, 3, true)).toEqual(['a', 'c'])
  })

  it('matches tags to publishes across many confirms, when the window has moved far', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `m${i + 1}`)
    const inFlight = sent(ids)
    const answered = []
    for (let tag = 10; tag <= 5000; tag += 10) answered.push(...take(inFlight, tag, true))
    expect(answered).toEqual(ids)
    inFlight.add(pendingOf('m5001'))
    expect(take(inFlight, 5001, false)).toEqual(['m5001'])
  })

  it('marks a returned publish by its message id, so its confirm rejects it', () => {
    const inFlight = sent(['a', 'b'])
    inFlight.markReturned('b', 'NO_ROUTE')
    const replies: (string | undefined)[] = []
    inFlight.take(2, true, (pending) => replies.push(pending.returnedReply))
    expect(replies).toEqual([undefined, 'NO_ROUTE'])
  })
})
