import { clearResults, formatTable, writeReport } from './harness/report.js'

// Runs in vitest's main process: the scenarios write one file each, the teardown merges them
// into reports/faults.json and prints the table.
export function setup(): () => void {
  clearResults()
  return () => {
    const recorded = writeReport()
    if (recorded.length === 0) return
    console.log(`\nFault suite (${recorded.length} scenarios, reports/faults.json):\n`)
    console.log(formatTable(recorded))
    console.log('')
  }
}
