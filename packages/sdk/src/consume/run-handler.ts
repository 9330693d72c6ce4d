import { TimeoutError } from '../errors.js'
import type { Handler, Message } from './message.js'

/**
 * Runs a handler; a synchronous throw (thrown to the caller), a rejection or running past
 * `timeoutMs` is a failure. A handler that returns without a promise is done: undefined, and no
 * timer or race is paid for it, since this runs for every delivery. A timed-out handler is not
 * stopped (JavaScript cannot), only no longer waited for.
 */
export function runHandler(
  handler: Handler<unknown>,
  message: Message<unknown>,
  timeoutMs: number,
): Promise<void> | undefined {
  const running = handler(message)
  if (!isPromiseLike(running)) return undefined
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
  return Promise.race([running, timeout]).finally(() => clearTimeout(timer))
}

function isPromiseLike(value: unknown): value is PromiseLike<void> {
  return typeof (value as PromiseLike<void> | undefined)?.then === 'function'
}
