import { Cron } from 'croner'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import type { PublishOptions } from '../options.js'

/** Options of one `broker.schedule()`: the publish options of every tick, and the job's name. */
export interface ScheduleOptions extends Omit<PublishOptions, 'messageId'> {
  /**
   * The job's name: instances scheduling the same name share one leader, so each tick is
   * published once. It names the lock queue `warren.schedule.<name>` and every tick's messageId
   * (`<name>@<tick ISO 8601>`), so consumers can deduplicate.
   * @default `<exchange>.<routingKey>` (`default.<routingKey>` on the default exchange)
   */
  name?: string
  /** IANA time zone the cron expression is read in, e.g. `'Europe/Paris'`. @default the process's */
  timezone?: string
}

export function scheduleName(exchange: string, routingKey: string, options: ScheduleOptions) {
  return options.name ?? `${exchange === '' ? 'default' : exchange}.${routingKey}`
}

/** A cron expression (croner syntax, seconds optional); `INVALID_OPTIONS` when it does not parse. */
export function parseCron(cron: string, timezone: string | undefined): Cron {
  try {
    return new Cron(cron, timezone === undefined ? {} : { timezone })
  } catch (error) {
    throw new WarrenError('INVALID_OPTIONS', `invalid cron expression '${cron}'`, { cause: error })
  }
}

/** What a schedule publishes: its tick's body and options. */
export interface ScheduledMessage {
  /** A fixed body, or a function called at each tick. */
  body: unknown
  options: ScheduleOptions
}

/**
 * The message of the tick at `at`: its messageId is `<name>@<tick ISO 8601>`, so consumers can
 * deduplicate, and it carries the tick in `warren-scheduled-at`.
 */
export async function tickMessage(
  name: string,
  scheduled: ScheduledMessage,
  at: Date,
): Promise<{ body: unknown; options: PublishOptions }> {
  const iso = at.toISOString()
  const options = tickOptions(scheduled.options)
  const { body } = scheduled
  return {
    body: typeof body === 'function' ? await (body as () => unknown)() : body,
    options: {
      ...options,
      messageId: `${name}@${iso}`,
      headers: { ...options.headers, [HEADERS.scheduledAt]: iso },
    },
  }
}

/** The publish options of every tick, for checking a fixed body up front. */
export function tickOptions(options: ScheduleOptions): PublishOptions {
  const { name: _name, timezone: _timezone, ...publish } = options
  return publish
}
