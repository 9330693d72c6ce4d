/** The conditions Warren watches. */
export type AlertRule =
  'dead-letter-ratio' | 'backlog' | 'dead-letter-growth' | 'dead-letter-age' | 'no-consumers'

/** An alert that is active now. */
export interface Alert {
  rule: AlertRule
  vhost: string
  queue: string
  /** The measured value: a ratio, a message count, a growth in messages or an age in ms. */
  value: number
  threshold: number
  /** When the condition was first seen (ISO 8601). */
  since: string
}

/** Thresholds of the rules. */
export interface AlertThresholds {
  /** Dead letters per processed message above which `dead-letter-ratio` starts. */
  failureRatio: number
  /** Ready messages above which `backlog` starts. */
  backlog: number
  /** Age of the oldest dead letter (ms) above which `dead-letter-age` starts. */
  deadLetterAgeMs: number
  /** Window of the ratio and growth rules (ms). */
  windowMs: number
}
