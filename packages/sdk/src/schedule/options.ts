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
