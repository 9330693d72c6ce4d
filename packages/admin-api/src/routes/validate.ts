import type { MiddlewareHandler } from 'hono'
import { validator } from 'hono/validator'
import type { z } from 'zod'

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

/**
 * Validates one part of the request with a zod schema (errors become 400 problems) and types both
 * sides: handlers read the parsed output, `hc<AppType>` callers send the schema's input, so a
 * field with a default is optional for the console.
 */
export function zv<K extends Target, T extends z.ZodType>(
  target: K,
  schema: T,
): MiddlewareHandler<
  object,
  string,
  { in: { [P in K]: Sent<T, K> }; out: { [P in K]: z.output<T> } }
> {
  return validator(target, (value) => schema.parse(value)) as unknown as MiddlewareHandler<
    object,
    string,
    { in: { [P in K]: Sent<T, K> }; out: { [P in K]: z.output<T> } }
  >
}
