import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The base of the admin API's errors: a stable, machine-readable `code` to branch on (never the
 * message), and the `cause` kept.
 */
export class AdminApiError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** The configuration in the environment cannot be used; the message says which variable. */
export class ConfigError extends AdminApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-config', message, options)
  }
}

/**
 * The error of a request. The app's error handler turns it into an
 * `application/problem+json` response (`type`, `title`, `status`, `detail`).
 */
export class ApiError extends AdminApiError {
  readonly status: ContentfulStatusCode
  readonly title: string
  readonly detail: string | undefined
  /** A stable, machine-readable name, sent as the problem's `type` (`urn:warren:problem:<code>`). */
  declare readonly code: string

  constructor(
    status: ContentfulStatusCode,
    code: string,
    title: string,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    super(code, detail ? `${title}: ${detail}` : title, options)
    this.status = status
    this.title = title
    this.detail = detail
  }
}
