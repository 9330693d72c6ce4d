import { describe, expect, it } from 'vitest'
import { parseDeadLetter } from '../parse.js'

const timestamp = (seconds: number) => ({ '!': 'timestamp' as const, value: seconds })

/** As Celery 5.2.6 wrote them for task `shop.charge` (acks_late, acks_on_failure_or_timeout off). */
const task = {
  argsrepr: '(42,)',
  eta: null,
  expires: null,
  group: null,
  group_index: null,
  id: 'celery-task-1',
  ignore_result: false,
  kwargsrepr: '{}',
  lang: 'py',
  origin: 'gen10239@vm',
  parent_id: 'celery-task-1',
  retries: 2,
  root_id: 'celery-task-1',
  shadow: null,
  task: 'shop.charge',
  timelimit: [null, null],
}

describe('dead letters of Celery', () => {
  it('reads a task that retried twice and was then rejected: 3 attempts', () => {
    const facts = parseDeadLetter({
      ...task,
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'tasks',
          time: timestamp(1_796_162_110),
          exchange: '',
          'routing-keys': ['tasks'],
        },
      ],
      'x-first-death-exchange': '',
      'x-first-death-queue': 'tasks',
      'x-first-death-reason': 'rejected',
    })
    expect(facts).toEqual({
      reason: 'rejected',
      originalQueue: 'tasks',
      exchange: '',
      routingKey: 'tasks',
      attempts: 3,
      error: null,
      deadLetteredAt: '2026-12-01T21:55:10.000Z',
      explanation: "A consumer of 'tasks' rejected it without requeueing and recorded no error.",
    })
  })

  it('reads `retries` only on a Celery task message', () => {
    expect(parseDeadLetter({ retries: 5 }).attempts).toBeNull()
    expect(parseDeadLetter({ ...task, lang: 'js' }).attempts).toBeNull()
  })
})
