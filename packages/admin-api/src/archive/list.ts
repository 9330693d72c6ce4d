import { toMessageView } from '../dead-letters/message-view.js'
import type { ArchivedMessage, ArchiveListResult } from '../dead-letters/schemas.js'
import { originalOf, restoredOffset, stampOf } from './stream.js'
import type { Archive, ArchiveRecord } from './stream.js'

export interface ArchiveQuery {
  vhost: string
  queue?: string | undefined
  limit: number
  offset: number
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

/** Archived messages of a vhost, newest first, optionally of one dead-letter queue. */
export async function listArchive(
  archive: Archive,
  query: ArchiveQuery,
): Promise<ArchiveListResult> {
  const records = await archive.read(query.vhost)
  const restored = restorations(records)
  const archived = records
    .filter((record) => record.kind === 'archived')
    .filter((record) => query.queue === undefined || stampOf(record).from === query.queue)
    .reverse()
  return {
    total: archived.length,
    items: archived
      .slice(query.offset, query.offset + query.limit)
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
