/** Base of every error the console raises: a stable `code` to branch on, `cause` kept. */
export class ConsoleError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ConsoleError'
    this.code = code
  }
}

/** The admin API answered with an `application/problem+json` (or any non-2xx) response. */
export class ApiProblemError extends ConsoleError {
  readonly status: number
  readonly title: string
  readonly detail: string | undefined

  constructor(status: number, code: string, title: string, detail: string | undefined) {
    super(code, detail ? `${title}: ${detail}` : title)
    this.name = 'ApiProblemError'
    this.status = status
    this.title = title
    this.detail = detail
  }
}

/** The admin API could not be reached at all (server down, network gone). */
export class ApiUnreachableError extends ConsoleError {
  constructor(cause: unknown) {
    super('api-unreachable', 'The admin API cannot be reached', { cause })
    this.name = 'ApiUnreachableError'
  }
}

export const isUnauthorized = (error: unknown): boolean =>
  error instanceof ApiProblemError && error.status === 401

/** What to show an operator for any error a query or mutation raised. */
export function describeError(error: unknown): string {
  if (error instanceof ApiProblemError) return error.message
  if (error instanceof ConsoleError) return error.message
  if (error instanceof Error) return error.message
  return String(error)
}
