import { z } from 'zod'

// Only zod here (no node:*): the console bundles the schemas that use it.

const encoder = new TextEncoder()

const isControl = (char: string) => {
  const code = char.codePointAt(0) ?? 0
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}

/**
 * A vhost or queue name as it may appear in a path: RabbitMQ caps names at 255 bytes; control
 * characters and the dot segments `.`/`..` are refused so that no encoded name can turn into a
 * different management API path.
 */
export const resourceName = z
  .string()
  .min(1, 'must not be empty')
  .refine((name) => encoder.encode(name).length <= 255, 'must be at most 255 bytes')
  .refine((name) => ![...name].some(isControl), 'must not contain control characters')
  .refine((name) => name !== '.' && name !== '..', 'must not be "." or ".."')

/** Path params `:vhost/:name` of a queue. */
export const queueParams = z.object({ vhost: resourceName, name: resourceName })
