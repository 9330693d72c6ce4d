import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { AdminApiError, ApiError, ConfigError } from './errors.js'
import { errorHandler } from './routes/problem.js'
import { createLogger } from './security/logger.js'
import { createRedactor } from './security/redact.js'

describe('admin API errors', () => {
  it('an ApiError is an AdminApiError with its stable code, status and cause', () => {
    const cause = new Error('socket closed')
    const error = new ApiError(502, 'amqp-unavailable', 'RabbitMQ is not reachable', 'down', {
      cause,
    })
    expect(error).toBeInstanceOf(AdminApiError)
    expect(error).toMatchObject({ name: 'ApiError', code: 'amqp-unavailable', status: 502, cause })
    expect(error.message).toBe('RabbitMQ is not reachable: down')
  })

  it('a ConfigError is an AdminApiError with code invalid-config', () => {
    const error = new ConfigError('WARREN_PORT: not a number')
    expect(error).toBeInstanceOf(AdminApiError)
    expect(error).toMatchObject({ name: 'ConfigError', code: 'invalid-config' })
  })

  it('an ApiError still answers as problem+json with its code in the type', async () => {
    const app = new Hono()
      .onError(errorHandler(createLogger(createRedactor([]), () => {})))
      .get('/', () => {
        throw new ApiError(409, 'operation-in-progress', 'Busy', 'Retry later')
      })
    const response = await app.request('/')
    expect(response.status).toBe(409)
    expect(response.headers.get('content-type')).toBe('application/problem+json')
    expect(await response.json()).toEqual({
      type: 'urn:warren:problem:operation-in-progress',
      title: 'Busy',
      status: 409,
      detail: 'Retry later',
    })
  })
})
