import { TimeoutError } from '../errors.js'
import type { Handler, Message } from './message.js'

/**
 * Runs a handler; a synchronous throw, a rejection or running past `timeoutMs` is a failure. A
 * timed-out handler is not stopped (JavaScript cannot), only no longer waited for.
 */
export async function runHandler(
  handler: Handler<unknown>,
  message: Message<unknown>,
  timeoutMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new TimeoutError(
          `handler for ${message.messageId} on '${message.queue}' ran longer than ${timeoutMs}ms`,
        ),
      )
    }, timeoutMs)
  })
  try {
    await Promise.race([(async () => handler(message))(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
