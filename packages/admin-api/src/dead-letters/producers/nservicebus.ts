import { time } from '../time.js'
import { text, type Headers, type Source } from './source.js'

/** NServiceBus's headers on a message it moved to its error queue. */
export function nServiceBus(h: Headers): Source {
  const failedQueue = text(h['NServiceBus.FailedQ'])
  const name = text(h['NServiceBus.ExceptionInfo.ExceptionType'])
  return {
    reason: name !== undefined || failedQueue !== undefined ? 'failed' : undefined,
    // NServiceBus writes `queue@machine` on some transports.
    originalQueue: failedQueue?.split('@')[0],
    deadLetteredAt: nServiceBusTime(text(h['NServiceBus.TimeOfFailure'])),
    error: {
      name,
      message: text(h['NServiceBus.ExceptionInfo.Message']),
      stack: text(h['NServiceBus.ExceptionInfo.StackTrace']),
    },
  }
}

/** NServiceBus's wire format: `yyyy-MM-dd HH:mm:ss:ffffff Z`, UTC. */
function nServiceBusTime(value: string | undefined): string | undefined {
  const match = value && /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}):(\d{3})\d* Z$/.exec(value)
  if (match) return time(`${match[1]}T${match[2]}.${match[3]}Z`)
  return time(value)
}
