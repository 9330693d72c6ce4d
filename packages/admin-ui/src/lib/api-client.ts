import type { AppType } from '@warren/admin-api'
import { DetailedError, hc, parseResponse } from 'hono/client'
import type { ClientResponse } from 'hono/client'
import { BASE_PATH } from './base-path.js'
import { ApiProblemError, ApiUnreachableError } from './errors.js'

// The server refuses state-changing requests that are not JSON (a cheap CSRF guard), so every
// POST/DELETE says it is JSON even when it carries no body.
const fetchJson: typeof fetch = (input, init) => {
  const method = (init?.method ?? 'GET').toUpperCase()
  if (method === 'GET' || method === 'HEAD') return fetch(input, init)
  const headers = new Headers(init?.headers)
  if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
  return fetch(input, { ...init, headers, credentials: 'same-origin' })
}

/** The typed client of the admin API: a changed route breaks this package's build. */
export const api = hc<AppType>(BASE_PATH, { fetch: fetchJson })

/** Path segments are sent URL-encoded, as in the management API (`/` is `%2F`). */
export const segment = (value: string): string => encodeURIComponent(value)

interface ProblemBody {
  type?: unknown
  title?: unknown
  detail?: unknown
}

function toProblem(error: DetailedError): ApiProblemError {
  const status = typeof error.statusCode === 'number' ? error.statusCode : 0
  const detail = error.detail as { data?: unknown; statusText?: unknown } | undefined
  const body: ProblemBody =
    typeof detail?.data === 'object' && detail.data !== null ? (detail.data as ProblemBody) : {}
  const type = typeof body.type === 'string' ? body.type : ''
  const code = type.startsWith('urn:warren:problem:')
    ? type.slice('urn:warren:problem:'.length)
    : `http-${status}`
  const title =
    typeof body.title === 'string'
      ? body.title
      : typeof detail?.statusText === 'string' && detail.statusText
        ? detail.statusText
        : `HTTP ${status}`
  return new ApiProblemError(
    status,
    code,
    title,
    typeof body.detail === 'string' ? body.detail : undefined,
  )
}

/**
 * Sends a request built with `api` and returns its parsed 2xx body, typed from the route.
 * Non-2xx answers become `ApiProblemError`; network failures `ApiUnreachableError`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T extends ClientResponse<any>>(request: Promise<T>) {
  let response: T
  try {
    response = await request
  } catch (error) {
    throw new ApiUnreachableError(error)
  }
  try {
    return await parseResponse<T>(response)
  } catch (error) {
    if (error instanceof DetailedError) throw toProblem(error)
    throw error
  }
}
