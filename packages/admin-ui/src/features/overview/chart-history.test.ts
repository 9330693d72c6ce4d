import { describe, expect, it } from 'vitest'
import { chartHistory } from './chart-history.js'

const rates = (publish: number) => ({ publish, deliver: 0, ack: 0, redeliver: 0, deadLetter: 0 })

describe('the overview charts history', () => {
  it("starts with the server's history and goes on with the readings taken after its last step", () => {
    const history = chartHistory(
      [
        { t: 10_000, ...rates(1) },
        { t: 20_000, ...rates(2) },
      ],
      [
        { t: 15_000, values: rates(9) },
        { t: 22_000, values: rates(3) },
        { t: 24_000, values: rates(4) },
      ],
    )
    expect(history.map((s) => [s.t, s.values.publish])).toEqual([
      [10_000, 1],
      [20_000, 2],
      [22_000, 3],
      [24_000, 4],
    ])
  })

  it('uses the live readings alone while the server has no history', () => {
    expect(chartHistory([], [{ t: 1, values: rates(5) }])).toEqual([{ t: 1, values: rates(5) }])
  })
})
