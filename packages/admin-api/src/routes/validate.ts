import type { MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import type { z } from 'zod'
import { ApiError } from '../errors.js'

// The admin API's one request validator: every route's params, query and body go through it.

type Target = 'json' | 'query' | 'param'

/** What the typed client sends: query and path values are strings; defaults make keys optional. */
type Sent<T extends z.ZodType, K extends Target> = K extends 'json'
  ? z.input<T>
  : K extends 'param'
    ? { [P in keyof z.input<T>]: string }
    : {
        [P in keyof z.input<T>]?: Exclude<z.input<T>[P], undefined> extends string
          ? Exclude<z.input<T>[P], undefined>
          : string
      }

/** The failing fields, at most five, as `path: message`. */
export function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || 'value'}: ${issue.message}`)
    .join('; ')
}

/**
 * Validates one part of the request with a zod schema (anything invalid is a 400 problem naming
 * the failing fields) and types both sides: handlers read the parsed output, `hc<AppType>`
 * callers send the schema's input, so a field with a default is optional for the console.
 */
export function valid<K extends Target, T extends z.ZodType>(
  target: K,
  schema: T,
): MiddlewareHandler<
  object,
  string,
  { in: { [P in K]: Sent<T, K> }; out: { [P in K]: z.output<T> } }
> {
  return validator(target, (value) => {
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      throw new ApiError(400, 'invalid-request', 'Invalid request', issuesOf(parsed.error))
    }
    return parsed.data
  }) as unknown as MiddlewareHandler<
    object,
    string,
    { in: { [P in K]: Sent<T, K> }; out: { [P in K]: z.output<T> } }
  >
}
