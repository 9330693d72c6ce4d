import { describe, expect, it } from 'vitest'
import { overviewHistory } from './overview-history.js'

const at = (s: number) => 1_700_000_000_000 + s * 1000

describe('the overview history', () => {
  it('turns cumulative counters into per-second rates and joins them with depths and dead letters by time', () => {
    const history = overviewHistory(
      {
        message_stats: {
          publish_details: {
            rate: 0,
            samples: [
              { timestamp: at(20), sample: 300 },
              { timestamp: at(0), sample: 100 },
              { timestamp: at(10), sample: 150 },
            ],
          },
        },
        queue_totals: {
          messages_details: {
            rate: 0,
            samples: [
              { timestamp: at(0), sample: 7 },
              { timestamp: at(10), sample: 9 },
              { timestamp: at(20), sample: 4 },
            ],
          },
        },
      },
      new Map([[at(20), 0.5]]),
    )
    expect(history).toEqual([
      { t: at(0), publish: 0, deliver: 0, ack: 0, redeliver: 0, deadLetter: 0, messages: 7 },
      { t: at(10), publish: 5, deliver: 0, ack: 0, redeliver: 0, deadLetter: 0, messages: 9 },
      { t: at(20), publish: 15, deliver: 0, ack: 0, redeliver: 0, deadLetter: 0.5, messages: 4 },
    ])
  })

  it('counts no negative rate when a counter was reset by a node restart', () => {
    const history = overviewHistory(
      {
        message_stats: {
          ack_details: {
            rate: 0,
            samples: [
              { timestamp: at(0), sample: 500 },
              { timestamp: at(10), sample: 20 },
            ],
          },
        },
      },
      new Map(),
    )
    expect(history.map((p) => p.ack)).toEqual([0])
  })

  it('is empty when the broker has sampled nothing yet', () => {
    expect(overviewHistory({}, new Map())).toEqual([])
  })
})
