import { ValidationError } from '../errors.js'
import type { Schema, StandardSchemaV1 } from '../schema.js'

/**
 * Checks a body against its schema (any Standard Schema); the ValidationError lists every issue.
 * Synchronous: a schema that validates asynchronously (an async refinement) is refused, since a
 * publish is checked before anything is sent and a delivery before its handler runs.
 */
export function validateBody(
  schema: Schema,
  body: unknown,
  what: string,
): { ok: true; data: unknown } | { ok: false; error: ValidationError } {
  const result = schema['~standard'].validate(body)
  if (result instanceof Promise) {
    // Nobody waits for it: keep a rejection from surfacing as unhandled.
    result.catch(() => undefined)
    const message = `${what}: its schema validates asynchronously, which Warren does not support`
    return { ok: false, error: new ValidationError(message, [{ path: [], message }]) }
  }
  if (result.issues === undefined) return { ok: true, data: result.value }
  const issues = result.issues.map((issue) => ({
    path: (issue.path ?? []).map(pathKey),
    message: issue.message,
  }))
  const summary = issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ')
  return {
    ok: false,
    error: new ValidationError(`${what} does not match its schema: ${summary}`, issues, {
      cause: result.issues,
    }),
  }
}

function pathKey(segment: PropertyKey | StandardSchemaV1.PathSegment): string | number {
  const key = typeof segment === 'object' ? segment.key : segment
  return typeof key === 'symbol' ? String(key) : key
}
