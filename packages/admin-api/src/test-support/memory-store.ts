// The dead-letter store's contract kept in memory, for tests of what runs over it (bulk operations,
// routes) before or beside the SQL stores. Groups, summaries, archive and restore are left out.
import type {
  BulkRecord,
  DeadLetterFilter,
  DeadLetterStore,
  NoteRecord,
  Selection,
  StoredDeadLetter,
} from '../store/types.js'

function matches(row: StoredDeadLetter & { searchText: string }, filter: DeadLetterFilter) {
  const time = row.deadLetteredAt ?? row.intakeAt
  return (
    (filter.search === undefined || row.searchText.includes(filter.search.toLowerCase())) &&
    (filter.reason === undefined || row.reason === filter.reason) &&
    (filter.errorName === undefined || row.errorName === filter.errorName) &&
    (filter.originalQueue === undefined || row.originalQueue === filter.originalQueue) &&
    (filter.routingKey === undefined || row.originalRoutingKey === filter.routingKey) &&
    (filter.group === undefined || row.fingerprint === filter.group) &&
    (filter.from === undefined || time >= filter.from) &&
    (filter.to === undefined || time < filter.to)
  )
}

export function createMemoryStore(): DeadLetterStore {
  const rows: (StoredDeadLetter & { searchText: string })[] = []
  const bulks = new Map<string, BulkRecord>()
  const items = new Map<string, Map<number, 'open' | 'done' | 'failed'>>()
  const notes: NoteRecord[] = []
  let seq = 0
  const held = (vhost: string, queue: string) =>
    rows.filter((row) => row.vhost === vhost && row.queue === queue && row.state === 'held')
  const select = (vhost: string, queue: string, selection: Selection) => {
    if ('seqs' in selection) {
      const wanted = new Set(selection.seqs)
      return held(vhost, queue).filter((row) => wanted.has(row.seq))
    }
    return held(vhost, queue).filter((row) => matches(row, selection.filter))
  }
  const copy = (record: BulkRecord): BulkRecord => ({ ...record, failures: [...record.failures] })
  const move = (
    row: StoredDeadLetter,
    state: StoredDeadLetter['state'],
    actor: string,
    op: string | null,
  ) => {
    row.state = state
    row.settledAt = Date.now()
    row.settledBy = actor
    row.settledByOperation = op
  }
  return {
    kind: 'sqlite',
    init: async () => {},
    close: async () => {},
    async insert(batch) {
      for (const { redelivered: _redelivered, ...row } of batch) {
        seq += 1
        rows.push({
          ...row,
          seq,
          state: 'held',
          settledAt: null,
          settledBy: null,
          settledByOperation: null,
        })
      }
      return { inserted: batch.length, duplicates: 0 }
    },
    count: async (vhost, queue, filter = {}) => select(vhost, queue, { filter }).length,
    page: async (vhost, queue, filter, limit, offset) =>
      select(vhost, queue, { filter }).slice(offset, offset + limit),
    async get(vhost, queue, seqs) {
      const wanted = new Set(seqs)
      return rows.filter((row) => row.vhost === vhost && row.queue === queue && wanted.has(row.seq))
    },
    groups: async () => [],
    summaries: async () => [],
    scan: async (vhost, queue, selection, afterSeq, limit) =>
      select(vhost, queue, selection)
        .filter((row) => row.seq > afterSeq)
        .slice(0, limit),
    async createBulk(record) {
      const locked = [...bulks.values()].find(
        (other) =>
          other.vhost === record.vhost &&
          other.queue === record.queue &&
          ['pending', 'running', 'paused'].includes(other.status),
      )
      if (locked) return { ok: false, locked: copy(locked) }
      const snapshot = select(record.vhost, record.queue, record.selection)
      items.set(record.id, new Map(snapshot.map((row) => [row.seq, 'open'])))
      bulks.set(record.id, { ...record, total: snapshot.length, done: 0, failed: 0, failures: [] })
      return { ok: true, total: snapshot.length }
    },
    getBulk: async (id) => {
      const record = bulks.get(id)
      return record ? copy(record) : null
    },
    unfinishedBulks: async () =>
      [...bulks.values()]
        .filter((r) => ['pending', 'running', 'paused'].includes(r.status))
        .map(copy),
    listBulks: async (vhost, queue, limit) =>
      [...bulks.values()]
        .filter((r) => r.vhost === vhost && r.queue === queue)
        .reverse()
        .slice(0, limit)
        .map(copy),
    async nextBulkItems(id, limit) {
      const open = [...(items.get(id) ?? [])]
        .filter(([, state]) => state === 'open')
        .map(([s]) => s)
      const wanted = new Set(open)
      return rows.filter((row) => wanted.has(row.seq) && row.state === 'held').slice(0, limit)
    },
    async settleBulkItems(id, done, state, failures, actor) {
      const record = bulks.get(id)
      const snapshot = items.get(id)
      if (!record || !snapshot) return
      for (const row of rows) {
        if (done.includes(row.seq) && row.state === 'held') move(row, state, actor, id)
      }
      for (const s of done) snapshot.set(s, 'done')
      for (const { seq: s } of failures) snapshot.set(s, 'failed')
      record.done += done.length
      record.failed += failures.length
      record.failures = [...record.failures, ...failures].slice(-5)
      record.updatedAt = Date.now()
    },
    async updateBulk(id, patch) {
      const record = bulks.get(id)
      if (!record) return null
      Object.assign(record, patch, { updatedAt: Date.now() })
      return copy(record)
    },
    async settle(vhost, queue, seqs, state, actor, operation) {
      const settled = held(vhost, queue).filter((row) => seqs.includes(row.seq))
      for (const row of settled) move(row, state, actor, operation)
      return settled.map((row) => row.seq)
    },
    archived: async () => ({ total: 0, items: [] }),
    restore: async () => [],
    async addNote(note) {
      const record = { ...note, id: notes.length + 1 }
      notes.push(record)
      return record
    },
    notes: async (vhost, queue, targets) =>
      notes.filter(
        (n) => n.vhost === vhost && n.queue === queue && (!targets || targets.includes(n.target)),
      ),
  }
}
