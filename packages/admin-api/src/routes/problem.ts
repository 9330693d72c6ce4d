import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ZodError } from 'zod'
import { issuesOf } from './validate.js'
import { ApiError } from '../errors.js'
import type { Logger } from '../security/logger.js'

/** An `application/problem+json` body (RFC 9457). */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  detail?: string,
): Response {
  const body: Problem = { type: `urn:warren:problem:${code}`, title, status }
  if (detail !== undefined) body.detail = detail
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="warren"'
  return c.body(JSON.stringify(body), status, headers)
}

/**
 * Turns every error into problem+json: ApiError as given, zod errors as 400 with the failing
 * fields, Hono's own HTTP errors with their status; anything else is a 500 whose detail says
 * nothing about internals (the log line has it, redacted).
 */
export function errorHandler(log: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) {
      if (error.status >= 500) {
        // The body says little (no internal addresses); the log line keeps the cause, redacted.
        log.warn(error.message, { path: c.req.path, code: error.code, cause: error.cause })
      }
      return problem(c, error.status, error.code, error.title, error.detail)
    }
    if (error instanceof ZodError) {
      return problem(c, 400, 'invalid-request', 'Invalid request', issuesOf(error))
    }
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode
      const title = status === 413 ? 'Payload too large' : 'Bad request'
      return problem(c, status, status === 413 ? 'payload-too-large' : 'http', title, error.message)
    }
    log.error('unexpected error', { path: c.req.path, error })
    return problem(c, 500, 'internal', 'Internal server error')
  }
}

export const notFound: NotFoundHandler = (c) =>
  problem(c, 404, 'not-found', 'Not found', `No route ${c.req.method} ${c.req.path}`)
