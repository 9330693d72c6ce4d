import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'
import { createRedactor, urlPasswords } from './redact.js'

describe('redaction', () => {
  it('removes known secrets, URL passwords and Authorization values', () => {
    const redact = createRedactor([
      's3cret-token-value',
      ...urlPasswords(['amqp://app:p%40ss@mq:5672']),
    ])
    expect(redact('token s3cret-token-value used')).toBe('token *** used')
    expect(redact('connect amqp://app:p@ss@mq:5672 failed')).toBe(
      'connect amqp://app:***@mq:5672 failed',
    )
    expect(redact('http://u:other@host/x')).toBe('http://u:***@host/x')
    expect(redact('{"authorization":"Basic Z3Vlc3Q6Z3Vlc3Q="}')).toBe(
      '{"authorization":"Basic ***"}',
    )
  })

  it('redacts every log line, including error messages in fields', () => {
    const lines: string[] = []
    const log = createLogger(createRedactor(['hunter2-password']), (line) => lines.push(line))
    log.error('failed', { error: new Error('login hunter2-password refused') })
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'error',
      msg: 'failed',
      error: { name: 'Error', message: 'login *** refused' },
    })
  })
})
