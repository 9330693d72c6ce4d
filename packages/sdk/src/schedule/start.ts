import type { Publishing } from '../publish/route.js'
import type { Runtime } from '../runtime.js'
import {
  parseCron,
  scheduleName,
  tickMessage,
  tickOptions,
  type ScheduleOptions,
} from './options.js'
import { Schedule } from './schedule.js'

/** What `broker.schedule()` publishes, and when. */
export interface ScheduleJob {
  cron: string
  exchange: string
  routingKey: string
  body: unknown
}

/**
 * A schedule of `broker.schedule()`, not yet attached: the cron expression parsed, a fixed body
 * checked now rather than at the first tick (maybe hours later), each tick published through
 * the broker's one publish path.
 */
export function createSchedule(
  runtime: Runtime,
  publishing: Publishing,
  job: ScheduleJob,
  options: ScheduleOptions,
  onClosed: (schedule: Schedule) => void,
): Schedule {
  const { cron, exchange, routingKey, body } = job
  const pattern = parseCron(cron, options.timezone)
  const name = scheduleName(exchange, routingKey, options)
  if (typeof body !== 'function') publishing.envelope(routingKey, body, tickOptions(options))
  const tick = async (at: Date) => {
    const message = await tickMessage(name, { body, options }, at)
    await publishing.publish(exchange, routingKey, message.body, message.options)
  }
  return new Schedule({ ...runtime, tick, onClosed }, name, pattern)
}
