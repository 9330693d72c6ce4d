import { validator } from 'hono/validator'
import { z } from 'zod'
import { ApiError } from '../errors.js'

/**
 * Validates one part of the request with a zod schema; the parsed value is what handlers see
 * (`c.req.valid(target)`) and what Hono's typed client learns. Anything invalid is a 400 problem.
 */
export function valid<Target extends 'json' | 'query' | 'param', Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return validator(target, (value): z.output<Schema> => {
    const parsed = schema.safeParse(value)
    if (!parsed.success) {
      throw new ApiError(400, 'invalid-request', 'Invalid request', z.prettifyError(parsed.error))
    }
    return parsed.data
  })
}
