import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FaultResult } from './workload.js'

/** Where results go: `<repo>/reports` (git-ignored). */
export const REPORTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../reports')
/** One file per scenario while the run goes on, merged into faults.json at its end. */
const PARTS_DIR = join(REPORTS_DIR, 'faults.d')

/** A result and what a reader needs to make sense of it (printed, not in faults.json). */
export interface RecordedResult {
  result: FaultResult
  notes: string
  at: number
}

/** Keeps one scenario's result; written at once so a crash later in the run keeps it. */
export function recordResult(result: FaultResult, notes = ''): void {
  mkdirSync(PARTS_DIR, { recursive: true })
  const file = join(PARTS_DIR, `${result.scenario.replace(/[^\w.-]+/g, '_')}.json`)
  const recorded: RecordedResult = { result, notes, at: Date.now() }
  writeFileSync(file, JSON.stringify(recorded))
}

export function clearResults(): void {
  rmSync(PARTS_DIR, { recursive: true, force: true })
}

/** Merges the scenarios' results into reports/faults.json; returns them in run order. */
export function writeReport(): RecordedResult[] {
  let files: string[]
  try {
    files = readdirSync(PARTS_DIR).filter((file) => file.endsWith('.json'))
  } catch {
    return []
  }
  const recorded = files
    .map((file) => JSON.parse(readFileSync(join(PARTS_DIR, file), 'utf8')) as RecordedResult)
    .sort((a, b) => a.at - b.at)
  writeFileSync(
    join(REPORTS_DIR, 'faults.json'),
    `${JSON.stringify(
      recorded.map((r) => r.result),
      null,
      2,
    )}\n`,
  )
  rmSync(PARTS_DIR, { recursive: true, force: true })
  return recorded
}

const COLUMNS: (keyof FaultResult)[] = [
  'scenario',
  'published',
  'confirmed',
  'consumedUnique',
  'lost',
  'duplicates',
  'recoveryMs',
  'maxStallMs',
]

/** A Markdown table, so the same text reads in a terminal and in a report. */
export function formatTable(recorded: readonly RecordedResult[]): string {
  const header = [...COLUMNS, 'notes']
  const rows = recorded.map(({ result, notes }) => [
    ...COLUMNS.map((column) => String(result[column] ?? '-')),
    notes,
  ])
  const widths = header.map((name, i) =>
    Math.max(name.length, ...rows.map((row) => row[i]!.length)),
  )
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 || i === cells.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 || i === widths.length - 1 ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...rows.map(line),
  ].join('\n')
}
