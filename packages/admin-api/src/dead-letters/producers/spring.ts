import { text, type Headers, type Source } from './source.js'

/** Spring AMQP's RepublishMessageRecoverer. */
export function spring(h: Headers): Source {
  const stack = text(h['x-exception-stacktrace'])
  return {
    originalQueue: text(h['x-original-queue']),
    exchange: text(h['x-original-exchange']),
    routingKey: text(h['x-original-routingKey']) ?? text(h['x-original-routing-key']),
    error: {
      // The first stack line of a Java exception reads `com.acme.SomeException: message`.
      name:
        text(h['x-exception-fqcn']) ??
        (stack ? /^([\w.$]+)(?::|\s|$)/.exec(stack)?.[1] : undefined),
      message: text(h['x-exception-message']),
      stack,
    },
  }
}
