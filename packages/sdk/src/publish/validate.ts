import type { z } from 'zod'
import { ValidationError } from '../errors.js'

/** Checks a body against its schema; the ValidationError lists every issue. */
export function validateBody(
  schema: z.ZodType,
  body: unknown,
  what: string,
): { ok: true; data: unknown } | { ok: false; error: ValidationError } {
  const result = schema.safeParse(body)
  if (result.success) return { ok: true, data: result.data }
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
  }))
  const summary = issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
  return {
    ok: false,
    error: new ValidationError(`${what} does not match its schema: ${summary}`, issues, {
      cause: result.error,
    }),
  }
}
