import type { Cron } from 'croner'
import { WarrenError } from '../errors.js'
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

/** The fake's schedules, ticked by the test. */
export class FakeSchedules {
  readonly #schedules = new Set<FakeSchedule>()

  add(name: string, cron: Cron, run: (at: Date) => Promise<void>): FakeSchedule {
    const schedule = new FakeSchedule(name, cron, run, (s) => this.#schedules.delete(s))
    this.#schedules.add(schedule)
    return schedule
  }

  /** One tick of schedule `name` (every schedule when omitted) as of `at`. */
  async tick(name: string | undefined, at: Date): Promise<void> {
    const due = [...this.#schedules].filter((s) => name === undefined || s.name === name)
    if (name !== undefined && due.length === 0) {
      throw new WarrenError('INVALID_OPTIONS', `no schedule named '${name}'`)
    }
    for (const schedule of due) await schedule.run(at)
  }

  async cancel(): Promise<void> {
    await Promise.all([...this.#schedules].map((s) => s.cancel()))
  }
}
