import { time } from '../time.js'
import { count, text, type Headers, type Source } from './source.js'

/** MassTransit's fault headers on a message it moved to an `_error` queue. */
export function massTransit(h: Headers): Source {
  const retries = count(h['MT-Fault-RetryCount'])
  return {
    reason: text(h['MT-Reason']),
    originalQueue: lastPathSegment(text(h['MT-Fault-InputAddress'])),
    // MassTransit counts retries; the first delivery was an attempt too.
    failures: retries === undefined ? undefined : retries + 1,
    deadLetteredAt: time(h['MT-Fault-Timestamp']),
    error: {
      name: text(h['MT-Fault-ExceptionType']),
      message: text(h['MT-Fault-Message']),
      stack: text(h['MT-Fault-StackTrace']),
    },
  }
}

function lastPathSegment(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  try {
    const segments = new URL(address).pathname.split('/').filter(Boolean)
    const last = segments.at(-1)
    return last === undefined ? undefined : decodeURIComponent(last)
  } catch {
    return address
  }
}
