import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The one error class of the admin API. The app's error handler turns it into an
 * `application/problem+json` response (`type`, `title`, `status`, `detail`).
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode
  readonly title: string
  readonly detail: string | undefined
  /** A stable, machine-readable name, sent as the problem's `type` (`urn:warren:problem:<code>`). */
  readonly code: string

  constructor(
    status: ContentfulStatusCode,
    code: string,
    title: string,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(detail ? `${title}: ${detail}` : title, options)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.title = title
    this.detail = detail
  }
}
