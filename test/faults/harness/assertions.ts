import { expect } from 'vitest'
import type { FaultResult } from './workload.js'

/**
 * What every scenario must show: nothing confirmed was lost and the pipeline recovered. Unless
 * the fault refuses publishes on purpose (`allConfirmed: false`), every publish ends confirmed:
 * the SDK holds and resends across the fault instead of failing callers.
 */
export function expectRecoveredWithoutLoss(
  result: FaultResult,
  { allConfirmed = true }: { allConfirmed?: boolean } = {},
): void {
  expect(result.lost).toBe(0)
  expect(result.confirmed).toBeGreaterThan(0)
  if (allConfirmed) expect(result.confirmed).toBe(result.published)
  expect(result.recoveryMs).not.toBeNull()
}
