import type { Actor } from '../context.js'
import type { ArchivedMessage, ArchiveListResult, RestoreResult } from '../dead-letters/schemas.js'
import { storedView } from '../dead-letters/stored-message.js'
import type { AuditRecorder } from '../audit/types.js'
import type { DeadLetterStore, StoredDeadLetter } from '../store/types.js'
import { ApiError } from '../errors.js'
import { MAX_OFFSET } from '../dead-letters/schemas.js'
import type { ArchiveQuery } from './list.js'
import { noneRestored } from './restore.js'

// The archive of dead letters in the store: a delete or purge there marks rows archived, so the
// archive is an indexed query like any other (paged by offset, searched, at any size), and a
// restore puts rows back among the queue's held dead letters. Ids read `<vhost>:s<seq>`, beside
// the stream archive's `<vhost>:<offset>`.

/** The archive id of a stored row. */
export function storedArchiveId(row: Pick<StoredDeadLetter, 'vhost' | 'seq'>): string {
  return `${encodeURIComponent(row.vhost)}:s${row.seq}`
}

/** The vhost and seq a stored archive id names; undefined for any other id. */
export function parseStoredArchiveId(id: string): { vhost: string; seq: number } | undefined {
  const match = /^([^:]+):s([1-9]\d{0,15})$/.exec(id)
  if (!match?.[1] || !match[2]) return undefined
  try {
    return { vhost: decodeURIComponent(match[1]), seq: Number(match[2]) }
  } catch {
    return undefined
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function archivedView(row: StoredDeadLetter): ArchivedMessage {
  return {
    id: storedArchiveId(row),
    vhost: row.vhost,
    archivedFrom: row.queue,
    archivedAt: iso(row.settledAt),
    archivedBy: row.settledBy,
    // A restored row is held again, so it is no longer in the archive.
    restoredAt: null,
    message: storedView(row),
  }
}

/** Archived dead letters of a vhost (or one queue), newest first, from the store. */
export async function listStoredArchive(
  store: DeadLetterStore,
  query: ArchiveQuery,
): Promise<ArchiveListResult> {
  const { total, items } = await store.archived(
    query.vhost,
    query.queue,
    { search: query.search },
    query.limit,
    query.offset,
  )
  return { total, items: items.map(archivedView) }
}

/**
 * Puts archived rows back among their queue's dead letters. Ids of other vhosts than `vhost` are
 * reported as not found, as are rows not archived.
 */
export async function restoreStored(
  store: DeadLetterStore,
  audit: AuditRecorder,
  ids: string[],
  actor: Actor,
): Promise<RestoreResult> {
  const result = noneRestored()
  const byVhost = new Map<string, Map<number, string>>()
  for (const id of new Set(ids)) {
    const parsed = parseStoredArchiveId(id)
    if (!parsed) {
      result.notFound.push(id)
      continue
    }
    const seqs = byVhost.get(parsed.vhost) ?? new Map<number, string>()
    seqs.set(parsed.seq, id)
    byVhost.set(parsed.vhost, seqs)
  }
  for (const [vhost, seqs] of byVhost) {
    const restored = new Set(await store.restore(vhost, [...seqs.keys()], actor.name))
    for (const [seq, id] of seqs) if (!restored.has(seq)) result.notFound.push(id)
    result.restored += restored.size
    await audit.record({
      actor,
      action: 'restore',
      target: `/${encodeURIComponent(vhost)}`,
      counts: { restored: restored.size, notFound: seqs.size - restored.size },
      outcome: restored.size > 0 || seqs.size === 0 ? 'success' : 'failure',
    })
  }
  return result
}

/** Every archived dead letter of one queue back among its held ones, page by page. */
export async function restoreAllStored(
  store: DeadLetterStore,
  audit: AuditRecorder,
  request: { vhost: string; queue: string },
  actor: Actor,
): Promise<RestoreResult> {
  const result = noneRestored()
  // Restored rows leave the archive, so each page is the first one again.
  for (;;) {
    const { items } = await store.archived(request.vhost, request.queue, {}, 500, 0)
    if (items.length === 0) break
    const restored = await store.restore(
      request.vhost,
      items.map((row) => row.seq),
      actor.name,
    )
    result.restored += restored.length
    if (restored.length === 0) break
  }
  await audit.record({
    actor,
    action: 'restore',
    target: `/${encodeURIComponent(request.vhost)}/${encodeURIComponent(request.queue)}`,
    counts: { restored: result.restored, failed: 0 },
    outcome: 'success',
  })
  return result
}

/** One answer from the stream's restore and the store's; ids of neither are not found. */
export function mergeRestores(
  stream: RestoreResult | undefined,
  store: RestoreResult | undefined,
  unknown: string[],
): RestoreResult {
  const parts = [stream, store].filter((part) => part !== undefined)
  return {
    operationId: stream?.operationId ?? store?.operationId ?? '',
    restored: parts.reduce((sum, part) => sum + part.restored, 0),
    notFound: [...parts.flatMap((part) => part.notFound), ...unknown],
    alreadyRestored: parts.flatMap((part) => part.alreadyRestored),
    failed: parts.flatMap((part) => part.failed),
  }
}

/**
 * A vhost's whole archive when it has both: the store's (queues in its care) and the stream's
 * (queues read live), newest first. Each source gives its newest `offset + limit`, so a page
 * costs at most that many records of each; the offset stops at {@link MAX_OFFSET}.
 */
export async function listCombinedArchive(
  store: DeadLetterStore,
  stream: (query: ArchiveQuery) => Promise<ArchiveListResult>,
  query: ArchiveQuery,
): Promise<ArchiveListResult> {
  if (query.offset > MAX_OFFSET) {
    throw new ApiError(
      400,
      'offset-too-deep',
      'Page too deep',
      `A vhost's archive pages to offset ${MAX_OFFSET}; name the queue to page deeper.`,
    )
  }
  const first = { ...query, offset: 0, limit: query.offset + query.limit }
  const [stored, streamed] = await Promise.all([listStoredArchive(store, first), stream(first)])
  const at = (item: ArchivedMessage) => (item.archivedAt === null ? 0 : Date.parse(item.archivedAt))
  const items = [...stored.items, ...streamed.items].sort((a, b) => at(b) - at(a))
  return {
    total: stored.total + streamed.total,
    items: items.slice(query.offset, query.offset + query.limit),
  }
}
