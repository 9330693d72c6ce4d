import type { ExportLine } from '../operations/bulk-schemas.js'
import type { DeadLetterStore, Selection, StoredDeadLetter } from '../store/types.js'
import { storedId, storedView } from './stored-message.js'

/** Rows read per page: memory stays bounded whatever the export's size. */
export const EXPORT_PAGE = 500

/** One NDJSON line of a stored dead letter, newline included. */
export function exportLine(row: StoredDeadLetter): string {
  const view = storedView(row)
  const line: ExportLine = {
    id: storedId(row),
    properties: row.properties,
    headers: view.headers,
    body: row.content.toString('base64'),
    view,
  }
  return `${JSON.stringify(line)}\n`
}

/**
 * The held dead letters a selection matches, as NDJSON lines in seq order, read page by page
 * while the consumer keeps up.
 */
export async function* exportLines(
  store: DeadLetterStore,
  vhost: string,
  queue: string,
  selection: Selection,
  pageSize = EXPORT_PAGE,
): AsyncGenerator<string> {
  for (let after = 0; ;) {
    const page = await store.scan(vhost, queue, selection, after, pageSize)
    yield page.map(exportLine).join('')
    const last = page.at(-1)
    if (!last || page.length < pageSize) return
    after = last.seq
  }
}

/** A file name an operator recognises, with nothing a header or a file system would choke on. */
export function exportFileName(vhost: string, queue: string, at: Date): string {
  const safe = (text: string) => text.replace(/[^\w.-]+/g, '_').slice(0, 100)
  const stamp = at.toISOString().replace(/[:.]/g, '-')
  return `${safe(vhost === '/' ? 'default' : vhost)}-${safe(queue)}-${stamp}.ndjson`
}
