import { toMessageView } from '../dead-letters/message-view.js'
import { matches } from '../dead-letters/search-text.js'
import type { ArchivedMessage, ArchiveListResult } from '../dead-letters/schemas.js'
import { originalOf, restoredOffset, stampOf } from './stream.js'
import type { Archive, ArchiveRecord } from './stream.js'

export interface ArchiveQuery {
  vhost: string
  queue?: string | undefined
  limit: number
  offset: number
  /** Lower-cased or not, matched as a browse search is (message-view.ts). */
  search?: string | undefined
}

/** The id restore takes: the vhost travels with the offset, so ids alone name a message. */
export function archiveId(vhost: string, offset: number): string {
  return `${encodeURIComponent(vhost)}:${offset}`
}

export function parseArchiveId(id: string): { vhost: string; offset: number } | undefined {
  const match = /^([^:]+):(\d{1,15})$/.exec(id)
  if (!match?.[1] || !match[2]) return undefined
  try {
    return { vhost: decodeURIComponent(match[1]), offset: Number(match[2]) }
  } catch {
    return undefined
  }
}

/** When each archived record was restored, by its offset. */
export function restorations(records: readonly ArchiveRecord[]): Map<number, string | null> {
  const restored = new Map<number, string | null>()
  for (const record of records) {
    const offset = record.kind === 'restored' ? restoredOffset(record) : undefined
    if (offset !== undefined) restored.set(offset, stampOf(record).at)
  }
  return restored
}

/**
 * Archived messages of a vhost, newest first, optionally of one dead-letter queue or matching a
 * search. In bounded memory whatever the archive's size: a first walk keeps only the offsets of
 * the matching records and when restored ones were restored, a second reads just the page.
 */
export async function listArchive(
  archive: Archive,
  query: ArchiveQuery,
): Promise<ArchiveListResult> {
  const needle = query.search?.toLowerCase() || undefined
  const restored = new Map<number, string | null>()
  const matching: number[] = []
  await archive.walk(query.vhost, (record) => {
    if (record.kind === 'restored') {
      const offset = restoredOffset(record)
      if (offset !== undefined) restored.set(offset, stampOf(record).at)
      return
    }
    if (query.queue !== undefined && stampOf(record).from !== query.queue) return
    if (needle !== undefined) {
      const original = originalOf(record)
      if (!matches(toMessageView(original), original.content, needle)) return
    }
    matching.push(record.offset)
  })
  const wanted = matching.reverse().slice(query.offset, query.offset + query.limit)
  const page = new Map<number, ArchiveRecord>()
  if (wanted.length > 0) {
    const want = new Set(wanted)
    const last = wanted[0]!
    await archive.walk(
      query.vhost,
      (record) => {
        if (want.has(record.offset)) page.set(record.offset, record)
        return record.offset >= last ? 'stop' : undefined
      },
      wanted[wanted.length - 1],
    )
  }
  return {
    total: matching.length,
    items: wanted
      .map((offset) => page.get(offset))
      .filter((record) => record !== undefined)
      .map((record) => archivedView(query.vhost, record, restored)),
  }
}

function archivedView(
  vhost: string,
  record: ArchiveRecord,
  restored: Map<number, string | null>,
): ArchivedMessage {
  const stamp = stampOf(record)
  return {
    id: archiveId(vhost, record.offset),
    vhost,
    archivedFrom: stamp.from ?? '',
    archivedAt: stamp.at,
    archivedBy: stamp.by,
    restoredAt: restored.has(record.offset) ? (restored.get(record.offset) ?? '') : null,
    message: toMessageView(originalOf(record)),
  }
}
