/** Why the SDK dead-lettered a message (`warren-dead-letter-reason`). */
export type DeadLetterReason = 'max-attempts' | 'non-retryable' | 'invalid-payload' | 'no-handler'

export const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = [
  'max-attempts',
  'non-retryable',
  'invalid-payload',
  'no-handler',
]
