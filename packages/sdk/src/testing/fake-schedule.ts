import type { Cron } from 'croner'
import type { ScheduleHandle } from '../schedule/schedule.js'

/**
 * A schedule of the fake broker: always the leader (there is one instance), and it ticks only
 * when the test calls `fake.tick()`, so a test decides when and as of which time.
 */
export class FakeSchedule implements ScheduleHandle {
  readonly leader = true
  #cancelled = false

  constructor(
    readonly name: string,
    private readonly cron: Cron,
    readonly run: (at: Date) => Promise<void>,
    private readonly onCancel: (schedule: FakeSchedule) => void,
  ) {}

  nextRun(): Date | null {
    return this.#cancelled ? null : this.cron.nextRun()
  }

  cancel(): Promise<void> {
    this.#cancelled = true
    this.cron.stop()
    this.onCancel(this)
    return Promise.resolve()
  }
}
