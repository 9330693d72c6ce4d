// The table of `--only dead-letters` (dead-letters.ts): one per size, the live reading beside each
// store, and whether each column meets the issue's goals.
import type { StoreKind } from './store.js'
import { requeuedGroupSize } from './dead-letters-data.js'

export type DeadLetterColumn = 'live' | StoreKind

export interface DeadLetterFigure {
  size: number
  column: DeadLetterColumn
  measure: string
  /** null: not measurable this way; `note` says why. */
  value: number | null
  unit: string
  note?: string
  /** True when the answer covers only part of the queue (a live reading's limits). */
  partial?: boolean
}

export interface DeadLetterReport {
  figures: DeadLetterFigure[]
  /** Per size: how fast the DLQ was filled (msg/s). */
  publishRates: Record<number, number>
}

/** The issue's goals, at a million dead letters. */
const GOALS = { pageMs: 300, searchMs: 2000, groupsMs: 1000, rssMiB: 512 }

export const en = (n: number) => n.toLocaleString('en')
/** The measure a failed column's error is kept under. */
export const FAILED = 'failed'

/** A page's length. */
export const PAGE = 50

/** The measures at `size`, in the table's order. */
export function measures(size: number) {
  return {
    intake: 'intake (DLQ into the store)',
    page0: 'page of 50 at offset 0',
    pageMiddle: `page of 50 at offset ${en(size / 2)}`,
    pageEnd: `page of 50 at offset ${en(size - PAGE)} (the last)`,
    search: 'search for the one distinctive body',
    groups: 'groups',
    requeue: `requeue one group of ${en(requeuedGroupSize(size))} (bulk, unpaced)`,
    peak: 'admin API RSS, peak (VmHWM)',
    rss: 'admin API RSS at the end (VmRSS)',
  }
}

function cell(figure: DeadLetterFigure | undefined): string {
  if (figure === undefined) return ''
  if (figure.value === null) return figure.note ?? 'n/a'
  const digits = figure.value < 10 ? 1 : 0
  const value = figure.value.toLocaleString('en', { maximumFractionDigits: digits })
  return `${value} ${figure.unit}${figure.note ? ` (${figure.note})` : ''}`
}

/** The goals a column misses at `size`, in words; empty when it meets them all. */
function missedGoals(size: number, figures: DeadLetterFigure[]): string[] {
  const m = measures(size)
  // A measure not taken, or an answer about part of the queue, misses its goal.
  const over = (measure: string, limit: number) => {
    const figure = figures.find((f) => f.measure === measure)
    if (figure === undefined || figure.value === null) return true
    return figure.partial === true || figure.value >= limit
  }
  const missed: string[] = []
  if ([m.page0, m.pageMiddle, m.pageEnd].some((p) => over(p, GOALS.pageMs))) missed.push('page')
  if (over(m.search, GOALS.searchMs)) missed.push('search')
  if (over(m.groups, GOALS.groupsMs)) missed.push('groups')
  if (over(m.peak, GOALS.rssMiB)) missed.push('RSS')
  return missed
}

/** A markdown table per size: measure | live reading (baseline) | store sqlite | ... */
export function printDeadLetterReport({ figures, publishRates }: DeadLetterReport): void {
  const sizes = [...new Set(figures.map((f) => f.size))]
  const columns = [...new Set(figures.map((f) => f.column))]
  for (const size of sizes) printTable(size, columns, figures, publishRates[size])
}

function printTable(
  size: number,
  columns: readonly DeadLetterColumn[],
  figures: DeadLetterFigure[],
  publishRate: number | undefined,
) {
  const title = (c: DeadLetterColumn) => (c === 'live' ? 'live reading (baseline)' : `store ${c}`)
  console.log(`\n### ${en(size)} dead letters\n`)
  if (publishRate) console.log(`Published into the DLQ at ${en(Math.round(publishRate))} msg/s.\n`)
  console.log(`| measure | ${columns.map(title).join(' | ')} |`)
  console.log(`|---|${columns.map(() => '---').join('|')}|`)
  for (const measure of [...Object.values(measures(size)), FAILED]) {
    if (measure === FAILED && !figures.some((f) => f.size === size && f.measure === FAILED))
      continue
    const of = (c: DeadLetterColumn) =>
      figures.find((f) => f.size === size && f.column === c && f.measure === measure)
    console.log(`| ${measure} | ${columns.map((c) => cell(of(c))).join(' | ')} |`)
  }
  const verdicts = columns.map((c) => {
    const missed = missedGoals(
      size,
      figures.filter((f) => f.size === size && f.column === c),
    )
    return `${title(c)}: ${missed.length === 0 ? 'met' : `missed (${missed.join(', ')})`}`
  })
  console.log(
    `\nGoals: page < ${GOALS.pageMs} ms, search < ${GOALS.searchMs / 1000} s, groups < ` +
      `${GOALS.groupsMs / 1000} s, RSS < ${GOALS.rssMiB} MiB. ${verdicts.join('; ')}.`,
  )
}
