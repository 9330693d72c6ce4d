// Reads why a message was dead-lettered from whichever headers it carries: Warren's own,
// the broker's x-death, or another framework's (Spring AMQP, MassTransit, NServiceBus).

import { time } from './time.js'

export { time }

export interface DeadLetterFacts {
  reason: string | null
  originalQueue: string | null
  exchange: string | null
  routingKey: string | null
  attempts: number | null
  error: { name: string | null; message: string | null; stack: string | null } | null
  deadLetteredAt: string | null
}

type Headers = Record<string, unknown>
type SomeFacts = { [K in keyof DeadLetterFacts]?: DeadLetterFacts[K] | undefined }
type ErrorFacts = {
  name?: string | undefined
  message?: string | undefined
  stack?: string | undefined
}
type Source = SomeFacts & { errorFacts?: ErrorFacts }

/** Every fact comes from the first source that has it, most specific source first. */
export function parseDeadLetter(headers: Headers | undefined): DeadLetterFacts {
  const h = headers ?? {}
  const sources: Source[] = [warren(h), spring(h), massTransit(h), nServiceBus(h), xDeath(h)]
  const pick = <K extends keyof SomeFacts>(key: K): SomeFacts[K] | undefined =>
    sources.map((source) => source[key]).find((value) => value !== undefined && value !== null)
  const errorOf = (key: keyof ErrorFacts): string | null =>
    sources.map((source) => source.errorFacts?.[key]).find((value) => value !== undefined) ?? null
  const error = { name: errorOf('name'), message: errorOf('message'), stack: errorOf('stack') }
  const hasError = error.name !== null || error.message !== null || error.stack !== null
  return {
    reason: pick('reason') ?? (hasError ? 'exception' : null),
    originalQueue: pick('originalQueue') ?? null,
    exchange: pick('exchange') ?? null,
    routingKey: pick('routingKey') ?? null,
    attempts: pick('attempts') ?? null,
    error: hasError ? error : null,
    deadLetteredAt: pick('deadLetteredAt') ?? null,
  }
}

function warren(h: Headers): Source {
  return {
    reason: text(h['warren-dead-letter-reason']),
    originalQueue: text(h['warren-original-queue']),
    exchange: text(h['warren-original-exchange']),
    routingKey: text(h['warren-original-routing-key']),
    attempts: count(h['warren-attempt']),
    deadLetteredAt: time(h['warren-last-failed-at']),
    errorFacts: {
      name: text(h['warren-error-name']),
      message: text(h['warren-error-message']),
      stack: text(h['warren-error-stack']),
    },
  }
}

/** Spring AMQP's RepublishMessageRecoverer. */
function spring(h: Headers): Source {
  const stack = text(h['x-exception-stacktrace'])
  return {
    originalQueue: text(h['x-original-queue']),
    exchange: text(h['x-original-exchange']),
    routingKey: text(h['x-original-routingKey']) ?? text(h['x-original-routing-key']),
    errorFacts: {
      // The first stack line of a Java exception reads `com.acme.SomeException: message`.
      name:
        text(h['x-exception-fqcn']) ??
        (stack ? /^([\w.$]+)(?::|\s|$)/.exec(stack)?.[1] : undefined),
      message: text(h['x-exception-message']),
      stack,
    },
  }
}

function massTransit(h: Headers): Source {
  const retries = count(h['MT-Fault-RetryCount'])
  return {
    reason: text(h['MT-Reason']),
    originalQueue: lastPathSegment(text(h['MT-Fault-InputAddress'])),
    // MassTransit counts retries; the first delivery was an attempt too.
    attempts: retries === undefined ? undefined : retries + 1,
    deadLetteredAt: time(h['MT-Fault-Timestamp']),
    errorFacts: {
      name: text(h['MT-Fault-ExceptionType']),
      message: text(h['MT-Fault-Message']),
      stack: text(h['MT-Fault-StackTrace']),
    },
  }
}

function nServiceBus(h: Headers): Source {
  const failedQueue = text(h['NServiceBus.FailedQ'])
  const name = text(h['NServiceBus.ExceptionInfo.ExceptionType'])
  return {
    reason: name !== undefined || failedQueue !== undefined ? 'failed' : undefined,
    // NServiceBus writes `queue@machine` on some transports.
    originalQueue: failedQueue?.split('@')[0],
    deadLetteredAt: nServiceBusTime(text(h['NServiceBus.TimeOfFailure'])),
    errorFacts: {
      name,
      message: text(h['NServiceBus.ExceptionInfo.Message']),
      stack: text(h['NServiceBus.ExceptionInfo.StackTrace']),
    },
  }
}

/** The broker's record; its first entry is the latest death. */
function xDeath(h: Headers): Source {
  const deaths = Array.isArray(h['x-death']) ? (h['x-death'] as unknown[]) : []
  const latest = deaths[0]
  const entry: Headers = typeof latest === 'object' && latest !== null ? (latest as Headers) : {}
  const keys = Array.isArray(entry['routing-keys']) ? (entry['routing-keys'] as unknown[]) : []
  return {
    reason: text(entry['reason']) ?? text(h['x-first-death-reason']),
    originalQueue: text(entry['queue']) ?? text(h['x-first-death-queue']),
    exchange: text(entry['exchange']) ?? text(h['x-first-death-exchange']),
    routingKey: text(keys[0]),
    attempts: count(entry['count']),
    deadLetteredAt: time(entry['time']),
  }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

function count(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isFinite(n) ? n : undefined
}

/** NServiceBus's wire format: `yyyy-MM-dd HH:mm:ss:ffffff Z`, UTC. */
function nServiceBusTime(value: string | undefined): string | undefined {
  const match = value && /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}):(\d{3})\d* Z$/.exec(value)
  if (match) return new Date(`${match[1]}T${match[2]}.${match[3]}Z`).toISOString()
  return time(value)
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
