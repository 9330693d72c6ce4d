import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import Database from 'better-sqlite3'
import pg from 'pg'
import { createPostgresStore } from './postgres.js'
import { createSqliteStore } from './sqlite.js'
import type { BulkRecord, DeadLetterFilter, DeadLetterStore, NewDeadLetter } from './types.js'

/** Opens a store of its own for one run; `drop` removes every trace of it. */
interface StoreUnderTest {
  name: string
  open(): Promise<{
    store: DeadLetterStore
    /** Another instance on the same database, as a second admin API process has. */
    another(): DeadLetterStore
    /** Runs statements on the same database outside the store, as an older release left it. */
    exec(sql: string): Promise<void>
    drop(): Promise<void>
  }>
}

const sqlite: StoreUnderTest = {
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'warren-store-'))
    const path = join(dir, 'dead-letters.db')
    return {
      store: createSqliteStore({ path }),
      another: () => createSqliteStore({ path }),
      exec: async (sql) => {
        const db = new Database(path)
        try {
          db.exec(sql)
        } finally {
          db.close()
        }
      },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  },
}

const postgres: StoreUnderTest = {
  name: 'postgres',
  async open() {
    const url = process.env.WARREN_STORE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
    const schema = `warren_store_test_${process.pid}_${Date.now()}`
    const store = createPostgresStore({ url, schema })
    const exec = async (sql: string) => {
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path = ${schema}`)
        await client.query(sql)
      } finally {
        await client.end()
      }
    }
    const drop = () => exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    return { store, another: () => createPostgresStore({ url, schema }), exec, drop }
  },
}

const VHOST = 'orders-vh'
let queues = 0
/** Every test writes to queues of its own, so the tests share one store and stay apart. */
const newQueue = () => `dlq-${++queues}`
let digests = 0

function letter(queue: string, fields: Partial<NewDeadLetter> = {}): NewDeadLetter {
  const n = ++digests
  return {
    vhost: VHOST,
    queue,
    content: Buffer.from(JSON.stringify({ order: n })),
    properties: { messageId: `m-${n}`, contentType: 'application/json', timestamp: 1_700_000 },
    headerTable: Buffer.from([0, 0, 0, 0]),
    exchange: 'dlx',
    routingKey: 'orders',
    redelivered: false,
    digest: `digest-${n}`,
    intakeAt: 1_000_000 + n,
    messageId: `m-${n}`,
    deadLetteredAt: 2_000_000 + n,
    reason: 'rejected',
    errorName: 'PaymentDeclined',
    errorMessage: `Card declined for order ${n}`,
    originalQueue: 'orders',
    originalRoutingKey: 'orders.created',
    fingerprint: 'fp-declined',
    searchText: `m-${n} paymentdeclined card declined for order ${n}`,
    ...fields,
  }
}

async function fill(store: DeadLetterStore, queue: string, n: number, fields = {}) {
  const batch = Array.from({ length: n }, () => letter(queue, fields))
  await store.insert(batch)
  return (await store.page(VHOST, queue, {}, n, 0)).map((row) => row.seq)
}

function bulk(queue: string, fields: Partial<BulkRecord> = {}) {
  return {
    id: `op-${queue}-${Math.random().toString(36).slice(2)}`,
    action: 'requeue' as const,
    vhost: VHOST,
    queue,
    target: null,
    selection: { filter: {} },
    rate: null,
    status: 'pending' as const,
    actor: 'ann',
    createdAt: 5_000,
    updatedAt: 5_000,
    finishedAt: null,
    error: null,
    owner: null,
    leaseUntil: 0,
    ...fields,
  }
}

describe.each([sqlite, postgres])('the $name store', (kind) => {
  let store: DeadLetterStore
  let another: () => DeadLetterStore
  let drop: () => Promise<void>

  beforeAll(async () => {
    ;({ store, another, drop } = await kind.open())
    await store.init()
    await store.init() // idempotent
  })
  afterAll(async () => {
    await store?.close()
    await drop?.()
  })

  it('counts what it holds, per queue', async () => {
    const [a, b] = [newQueue(), newQueue()]
    expect(await store.insert([letter(a), letter(a), letter(a), letter(b)])).toEqual({
      inserted: 4,
      duplicates: 0,
    })
    expect(await store.count(VHOST, a)).toBe(3)
    expect(await store.count(VHOST, b)).toBe(1)
    expect(await store.count('other-vh', a)).toBe(0)
    expect(await store.count(VHOST, 'never-seen')).toBe(0)
  })

  it('skips a redelivered copy of a row the queue holds, and nothing else', async () => {
    const [queue, other] = [newQueue(), newQueue()]
    const first = letter(queue)
    await store.insert([first])
    expect(await store.insert([{ ...first, redelivered: true }])).toEqual({
      inserted: 0,
      duplicates: 1,
    })
    // Two identical messages that were not redelivered are two dead letters.
    expect(await store.insert([{ ...first }])).toEqual({ inserted: 1, duplicates: 0 })
    // The same digest in another queue is not a copy.
    expect(await store.insert([{ ...first, queue: other, redelivered: true }])).toEqual({
      inserted: 1,
      duplicates: 0,
    })
    // A redelivered copy within the same batch as its first.
    const fresh = letter(queue)
    expect(await store.insert([fresh, { ...fresh, redelivered: true }])).toEqual({
      inserted: 1,
      duplicates: 1,
    })
    expect(await store.count(VHOST, queue)).toBe(3)
  })

  it('pages in intake order and gives each row back as it arrived', async () => {
    const queue = newQueue()
    const sent = Array.from({ length: 5 }, () => letter(queue))
    sent[1] = { ...sent[1]!, headerTable: null, deadLetteredAt: null }
    await store.insert(sent)
    const all = await store.page(VHOST, queue, {}, 10, 0)
    expect(all.map((row) => row.messageId)).toEqual(sent.map((l) => l.messageId))
    expect(all.map((row) => row.seq)).toEqual([...all.map((row) => row.seq)].sort((a, b) => a - b))
    const second = all[1]!
    expect(second).toEqual({
      seq: second.seq,
      vhost: VHOST,
      queue,
      state: 'held',
      content: sent[1]!.content,
      properties: sent[1]!.properties,
      headerTable: null,
      exchange: 'dlx',
      routingKey: 'orders',
      digest: sent[1]!.digest,
      intakeAt: sent[1]!.intakeAt,
      messageId: sent[1]!.messageId,
      deadLetteredAt: null,
      reason: 'rejected',
      errorName: 'PaymentDeclined',
      errorMessage: sent[1]!.errorMessage,
      originalQueue: 'orders',
      originalRoutingKey: 'orders.created',
      fingerprint: 'fp-declined',
      settledAt: null,
      settledBy: null,
      settledByOperation: null,
    })
    expect(all[0]!.headerTable).toEqual(Buffer.from([0, 0, 0, 0]))
    const page = await store.page(VHOST, queue, {}, 2, 2)
    expect(page.map((row) => row.messageId)).toEqual([sent[2]!.messageId, sent[3]!.messageId])
    expect((await store.page(VHOST, queue, {}, 2, 4)).map((row) => row.messageId)).toEqual([
      sent[4]!.messageId,
    ])
    expect(await store.page(VHOST, queue, {}, 2, 5)).toEqual([])
  })

  it('filters on the server, every field narrowing', async () => {
    const queue = newQueue()
    await store.insert([
      letter(queue, { searchText: 'order 100% paid_in_full', intakeAt: 10, deadLetteredAt: null }),
      letter(queue, { searchText: 'order 1000 paid in full', intakeAt: 20, deadLetteredAt: 50 }),
      letter(queue, {
        reason: 'expired',
        errorName: null,
        originalQueue: 'refunds',
        originalRoutingKey: 'refunds.created',
        fingerprint: 'fp-expired',
        searchText: 'refund r-7 for ann@example.com',
        intakeAt: 30,
        deadLetteredAt: 60,
      }),
    ])
    // Each row is known by its intake time; page and count must agree.
    const cases: [DeadLetterFilter, number[]][] = [
      [{ search: 'PAID' }, [10, 20]],
      [{ search: '100%' }, [10]],
      [{ search: 'paid_in' }, [10]],
      [{ search: 'ANN@example' }, [30]],
      // Shorter than the trigram index's unit, and a quote that must not end its phrase.
      [{ search: 'r-' }, [30]],
      [{ search: '"' }, []],
      [{ search: 'full"' }, []],
      [{ search: '   ' }, [10, 20, 30]],
      [{ reason: 'expired' }, [30]],
      [{ errorName: 'PaymentDeclined' }, [10, 20]],
      [{ originalQueue: 'refunds' }, [30]],
      [{ routingKey: 'orders.created' }, [10, 20]],
      [{ group: 'fp-expired' }, [30]],
      // A row without a dead-lettering time is placed by its intake time (10).
      [{ to: 50 }, [10]],
      [{ from: 50 }, [20, 30]],
      [{ from: 50, to: 60 }, [20]],
      [{ search: 'paid', reason: 'expired' }, []],
    ]
    for (const [filter, intakes] of cases) {
      const page = await store.page(VHOST, queue, filter, 10, 0)
      expect([filter, page.map((row) => row.intakeAt)]).toEqual([filter, intakes])
      expect([filter, await store.count(VHOST, queue, filter)]).toEqual([filter, intakes.length])
    }
  })

  it('groups held rows by fingerprint, largest first', async () => {
    const queue = newQueue()
    await store.insert([
      letter(queue, { errorMessage: 'Card declined for order 1', deadLetteredAt: 300 }),
      letter(queue, { errorMessage: 'Card declined for order 2', deadLetteredAt: 100 }),
      letter(queue, { originalQueue: 'orders-eu', deadLetteredAt: 500 }),
      letter(queue, {
        errorName: 'Timeout',
        errorMessage: 'timed out after 30 s',
        fingerprint: 'fp-timeout',
        originalQueue: null,
        deadLetteredAt: null,
        intakeAt: 50,
      }),
    ])
    expect(await store.groups(VHOST, queue)).toEqual([
      {
        key: 'fp-declined',
        errorName: 'PaymentDeclined',
        errorMessage: 'Card declined for order 1',
        count: 3,
        firstSeen: 100,
        lastSeen: 500,
        originalQueues: ['orders', 'orders-eu'],
      },
      {
        key: 'fp-timeout',
        errorName: 'Timeout',
        errorMessage: 'timed out after 30 s',
        count: 1,
        firstSeen: 50,
        lastSeen: 50,
        originalQueues: [],
      },
    ])
    const filtered = await store.groups(VHOST, queue, { originalQueue: 'orders-eu' })
    expect(filtered.map((group) => [group.key, group.count])).toEqual([['fp-declined', 1]])
    expect(await store.groups(VHOST, 'never-seen')).toEqual([])
  })

  it('summarises every queue it knows, with what it holds', async () => {
    const [full, emptied] = [newQueue(), newQueue()]
    await store.insert([
      letter(full, { deadLetteredAt: 700 }),
      letter(full, { deadLetteredAt: null, intakeAt: 400 }),
    ])
    const [seq] = await fill(store, emptied, 1)
    await store.settle(VHOST, emptied, [seq!], 'requeued', 'ann', null)
    const summaries = await store.summaries()
    expect(summaries.filter((row) => [full, emptied].includes(row.queue))).toEqual([
      { vhost: VHOST, queue: full, held: 2, oldest: 400 },
      { vhost: VHOST, queue: emptied, held: 0, oldest: null },
    ])
  })

  it('scans held rows after a seq, by seqs or by filter, for export', async () => {
    const queue = newQueue()
    const seqs = await fill(store, queue, 5)
    await store.settle(VHOST, queue, [seqs[1]!], 'archived', 'ann', null)
    const scanned = (
      selection: Parameters<DeadLetterStore['scan']>[2],
      after: number,
      limit = 10,
    ) =>
      store.scan(VHOST, queue, selection, after, limit).then((rows) => rows.map((row) => row.seq))
    expect(await scanned({ filter: {} }, 0, 2)).toEqual([seqs[0], seqs[2]])
    expect(await scanned({ filter: {} }, seqs[2]!)).toEqual([seqs[3], seqs[4]])
    expect(await scanned({ seqs: [seqs[4]!, seqs[1]!, seqs[0]!] }, 0)).toEqual([seqs[0], seqs[4]])
    expect(await scanned({ filter: { search: 'nothing like this' } }, 0)).toEqual([])
  })

  it('settles held rows once, and gets rows in any state', async () => {
    const queue = newQueue()
    const seqs = await fill(store, queue, 3)
    expect(await store.settle(VHOST, queue, [seqs[2]!, seqs[0]!], 'moved', 'ann', 'op-1')).toEqual([
      seqs[0],
      seqs[2],
    ])
    expect(await store.settle(VHOST, queue, [seqs[0]!], 'requeued', 'bob', null)).toEqual([])
    expect(await store.settle(VHOST, 'other', [seqs[1]!], 'requeued', 'bob', null)).toEqual([])
    expect(await store.count(VHOST, queue)).toBe(1)
    const rows = await store.get(VHOST, queue, [seqs[0]!, seqs[1]!, 999_999_999])
    expect(rows.map((row) => [row.seq, row.state, row.settledBy, row.settledByOperation])).toEqual([
      [seqs[0], 'moved', 'ann', 'op-1'],
      [seqs[1], 'held', null, null],
    ])
    expect(rows[0]!.settledAt).toBeGreaterThan(Date.now() - 60_000)
    expect(await store.get(VHOST, 'other', [seqs[0]!])).toEqual([])
  })

  it('lists archived rows newest first and restores them', async () => {
    const [queue, other] = [newQueue(), newQueue()]
    const seqs = await fill(store, queue, 3, { reason: 'rejected' })
    const [otherSeq] = await fill(store, other, 1)
    await store.settle(VHOST, queue, [seqs[0]!], 'archived', 'ann', null)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await store.settle(VHOST, queue, [seqs[1]!], 'archived', 'ann', null)
    await store.settle(VHOST, other, [otherSeq!], 'archived', 'ann', null)
    const archived = await store.archived(VHOST, queue, {}, 10, 0)
    expect(archived.total).toBe(2)
    expect(archived.items.map((row) => row.seq)).toEqual([seqs[1], seqs[0]])
    const wholeVhost = await store.archived(VHOST, undefined, {}, 10, 0)
    expect(wholeVhost.items.map((row) => row.seq)).toEqual(
      expect.arrayContaining([seqs[0], seqs[1], otherSeq]),
    )
    expect((await store.archived(VHOST, queue, {}, 1, 1)).items.map((row) => row.seq)).toEqual([
      seqs[0],
    ])
    expect((await store.archived(VHOST, queue, { reason: 'expired' }, 10, 0)).total).toBe(0)
    expect(await store.restore(VHOST, [seqs[0]!, seqs[2]!], 'bob')).toEqual([seqs[0]])
    expect(await store.restore('other-vh', [seqs[1]!], 'bob')).toEqual([])
    const [restored] = await store.get(VHOST, queue, [seqs[0]!])
    expect([restored!.state, restored!.settledAt, restored!.settledBy]).toEqual([
      'held',
      null,
      null,
    ])
    expect(await store.count(VHOST, queue)).toBe(2)
  })

  it('keeps notes on messages and groups', async () => {
    const queue = newQueue()
    const note = await store.addNote({
      vhost: VHOST,
      queue,
      target: 'group:fp-declined',
      text: 'Card processor outage, requeue after 14:00',
      author: 'ann',
      createdAt: 1_000,
    })
    await store.addNote({
      vhost: VHOST,
      queue,
      target: 'message:7',
      text: 'poison',
      author: 'bob',
      createdAt: 2_000,
    })
    expect(note).toEqual({
      id: expect.any(Number),
      vhost: VHOST,
      queue,
      target: 'group:fp-declined',
      text: 'Card processor outage, requeue after 14:00',
      author: 'ann',
      createdAt: 1_000,
    })
    expect((await store.notes(VHOST, queue)).map((n) => n.text)).toEqual([
      'Card processor outage, requeue after 14:00',
      'poison',
    ])
    expect(await store.notes(VHOST, queue, ['message:7'])).toEqual([
      expect.objectContaining({ target: 'message:7', author: 'bob' }),
    ])
    expect(await store.notes(VHOST, newQueue())).toEqual([])
  })

  describe('bulk operations', () => {
    it('snapshots the rows the selection matches when created, not those that come after', async () => {
      const queue = newQueue()
      const seqs = await fill(store, queue, 4)
      await store.insert([letter(queue, { reason: 'expired' })])
      const record = bulk(queue, { selection: { filter: { reason: 'rejected' } } })
      expect(await store.createBulk(record)).toEqual({ ok: true, total: 4 })
      await fill(store, queue, 2)
      const items = await store.nextBulkItems(record.id, 10)
      expect(items.map((row) => row.seq)).toEqual(seqs)
      expect((await store.nextBulkItems(record.id, 2)).map((row) => row.seq)).toEqual(
        seqs.slice(0, 2),
      )
      expect(await store.getBulk(record.id)).toEqual({
        ...record,
        total: 4,
        done: 0,
        failed: 0,
        skipped: 0,
        failures: [],
        measuredRate: null,
        possibleDuplicates: 0,
      })
    })

    it('snapshots an explicit list of seqs, held ones only', async () => {
      const queue = newQueue()
      const seqs = await fill(store, queue, 3)
      await store.settle(VHOST, queue, [seqs[1]!], 'requeued', 'ann', null)
      const record = bulk(queue, {
        selection: { seqs: [seqs[0]!, seqs[1]!, seqs[2]!, 999_999_999] },
      })
      expect(await store.createBulk(record)).toEqual({ ok: true, total: 2 })
    })

    it('locks the queue while an operation is pending, running or paused', async () => {
      const [queue, other] = [newQueue(), newQueue()]
      await fill(store, queue, 2)
      const first = bulk(queue)
      expect(await store.createBulk(first)).toEqual({ ok: true, total: 2 })
      const second = await store.createBulk(bulk(queue, { action: 'delete' }))
      expect(second).toEqual({
        ok: false,
        locked: expect.objectContaining({ id: first.id, status: 'pending' }),
      })
      expect(await store.createBulk(bulk(other))).toEqual({ ok: true, total: 0 })
      await store.updateBulk(first.id, { status: 'paused' })
      expect((await store.createBulk(bulk(queue))).ok).toBe(false)
      await store.updateBulk(first.id, { status: 'succeeded', finishedAt: 9_000 })
      expect(await store.createBulk(bulk(queue))).toEqual({ ok: true, total: 2 })
    })

    it('lets one of two instances on the same database take a queue at the same moment', async () => {
      const queue = newQueue()
      await fill(store, queue, 3)
      const second = another()
      try {
        await second.init()
        const results = await Promise.all([
          ...Array.from({ length: 4 }, () => store.createBulk(bulk(queue))),
          ...Array.from({ length: 4 }, () => second.createBulk(bulk(queue))),
        ])
        expect(results.filter((result) => result.ok)).toEqual([{ ok: true, total: 3 }])
        expect(await second.unfinishedBulks()).toContainEqual(
          expect.objectContaining({ queue, total: 3 }),
        )
      } finally {
        await second.close()
      }
    })

    it('settles items in one step: rows leave held, items are done or failed, counters advance', async () => {
      const queue = newQueue()
      const seqs = await fill(store, queue, 4)
      const record = bulk(queue, { action: 'move', target: 'parking' })
      await store.createBulk(record)
      expect((await store.updateBulk(record.id, { status: 'running', rate: 50 }))?.status).toBe(
        'running',
      )
      await store.settleBulkItems(
        record.id,
        [seqs[0]!, seqs[1]!],
        'moved',
        [{ seq: seqs[2]!, reason: 'nack' }],
        'ann',
      )
      expect((await store.nextBulkItems(record.id, 10)).map((row) => row.seq)).toEqual([seqs[3]])
      const progress = await store.getBulk(record.id)
      expect(progress).toMatchObject({
        status: 'running',
        rate: 50,
        total: 4,
        done: 2,
        failed: 1,
        failures: [{ seq: seqs[2], reason: 'nack' }],
      })
      expect(progress!.updatedAt).toBeGreaterThan(record.updatedAt)
      const rows = await store.get(VHOST, queue, seqs)
      expect(rows.map((row) => [row.state, row.settledByOperation])).toEqual([
        ['moved', record.id],
        ['moved', record.id],
        ['held', null],
        ['held', null],
      ])
      await store.settleBulkItems(record.id, [seqs[3]!], 'moved', [], 'ann')
      expect(await store.nextBulkItems(record.id, 10)).toEqual([])
      expect(await store.getBulk(record.id)).toMatchObject({ done: 3, failed: 1 })
      expect(await store.count(VHOST, queue)).toBe(1)
    })

    it("lists unfinished operations for a restart to resume, and a queue's operations newest first", async () => {
      const queue = newQueue()
      await fill(store, queue, 1)
      const old = bulk(queue, { createdAt: 1_000 })
      await store.createBulk(old)
      await store.updateBulk(old.id, { status: 'failed', error: 'broker gone', finishedAt: 2_000 })
      const current = bulk(queue, { createdAt: 3_000 })
      await store.createBulk(current)
      await store.updateBulk(current.id, { status: 'running' })
      const unfinished = (await store.unfinishedBulks()).filter((op) => op.queue === queue)
      expect(unfinished.map((op) => [op.id, op.status])).toEqual([[current.id, 'running']])
      const listed = await store.listBulks(VHOST, queue, 10)
      expect(listed.map((op) => op.id)).toEqual([current.id, old.id])
      expect(listed[1]).toMatchObject({ status: 'failed', error: 'broker gone', finishedAt: 2_000 })
      expect(await store.listBulks(VHOST, queue, 1)).toHaveLength(1)
      expect(await store.getBulk('no-such-op')).toBeNull()
      expect(await store.updateBulk('no-such-op', { status: 'cancelled' })).toBeNull()
    })

    it('marks snapshot items whose row was settled some other way skipped, and reads past them once', async () => {
      const queue = newQueue()
      const seqs = await fill(store, queue, 6)
      const record = bulk(queue)
      await store.createBulk(record)
      await store.settle(VHOST, queue, seqs.slice(0, 3), 'retried', 'bob', null)
      await store.settle(VHOST, queue, [seqs[4]!], 'archived', 'bob', null)
      expect((await store.nextBulkItems(record.id, 2)).map((row) => row.seq)).toEqual([seqs[3]])
      expect((await store.getBulk(record.id))?.skipped).toBe(3)
      await store.settleBulkItems(record.id, [seqs[3]!], 'requeued', [], 'ann')
      expect((await store.nextBulkItems(record.id, 2)).map((row) => row.seq)).toEqual([seqs[5]])
      expect(await store.getBulk(record.id)).toMatchObject({ done: 1, skipped: 4, failed: 0 })
    })

    it('keeps the measured rate and the possible duplicates with the progress', async () => {
      const queue = newQueue()
      const seqs = await fill(store, queue, 3)
      const record = bulk(queue)
      await store.createBulk(record)
      const progress = { measuredRate: 42.5, possibleDuplicates: 1 }
      await store.settleBulkItems(record.id, [seqs[0]!], 'requeued', [], 'ann', progress)
      await store.settleBulkItems(record.id, [seqs[1]!], 'requeued', [], 'ann', {
        possibleDuplicates: 1,
      })
      expect(await store.getBulk(record.id)).toMatchObject({
        measuredRate: 42.5,
        possibleDuplicates: 2,
      })
    })

    describe('the owner lease', () => {
      const claim = (owner: string, now: number) => ({
        owner,
        now,
        leaseMs: 15_000,
        from: ['pending', 'running'] as const,
      })

      it('goes to exactly one of two instances claiming at once', async () => {
        const queue = newQueue()
        await fill(store, queue, 1)
        const record = bulk(queue, { status: 'running' })
        await store.createBulk(record)
        const second = another()
        try {
          await second.init()
          const claims = await Promise.all([
            ...['a1', 'a2'].map((owner) => store.claimBulk(record.id, claim(owner, 10_000))),
            ...['b1', 'b2'].map((owner) => second.claimBulk(record.id, claim(owner, 10_000))),
          ])
          const won = claims.filter((claimed) => claimed !== null)
          expect(won).toHaveLength(1)
          expect(won[0]).toMatchObject({ id: record.id, leaseUntil: 25_000 })
          expect((await second.getBulk(record.id))?.owner).toBe(won[0]?.owner)
        } finally {
          await second.close()
        }
      })

      it('lets its owner renew and claim again, and another instance claim once it ran out', async () => {
        const queue = newQueue()
        await fill(store, queue, 1)
        const record = bulk(queue, { status: 'running', owner: 'a', leaseUntil: 20_000 })
        await store.createBulk(record)
        expect(await store.claimBulk(record.id, claim('b', 19_999))).toBeNull()
        expect(await store.claimBulk(record.id, claim('a', 19_999))).toMatchObject({ owner: 'a' })
        expect(await store.renewBulks([record.id, 'no-such-op'], 'a', 40_000)).toEqual([record.id])
        expect(await store.renewBulks([record.id], 'b', 90_000)).toEqual([])
        expect(await store.claimBulk(record.id, claim('b', 39_999))).toBeNull()
        expect(await store.claimBulk(record.id, claim('b', 40_000))).toMatchObject({
          owner: 'b',
          leaseUntil: 55_000,
        })
        expect(await store.renewBulks([record.id], 'a', 90_000)).toEqual([])
      })

      it('is free for any instance at once after its owner releases it', async () => {
        const queue = newQueue()
        await fill(store, queue, 1)
        const record = bulk(queue, { status: 'running', owner: 'a', leaseUntil: 90_000 })
        await store.createBulk(record)
        await store.releaseBulk(record.id, 'b')
        expect(await store.claimBulk(record.id, claim('b', 10_000))).toBeNull()
        await store.releaseBulk(record.id, 'a')
        expect((await store.getBulk(record.id))?.leaseUntil).toBe(0)
        expect(await store.claimBulk(record.id, claim('b', 10_000))).toMatchObject({ owner: 'b' })
      })

      it('is only claimed in one of the statuses asked for, and can set the status with it', async () => {
        const queue = newQueue()
        await fill(store, queue, 1)
        const record = bulk(queue, { status: 'paused' })
        await store.createBulk(record)
        expect(await store.claimBulk(record.id, claim('a', 10_000))).toBeNull()
        const resumed = await store.claimBulk(record.id, {
          ...claim('a', 10_000),
          from: ['paused'],
          status: 'running',
        })
        expect(resumed).toMatchObject({ status: 'running', owner: 'a', updatedAt: 10_000 })
      })
    })
  })
})

describe.each([sqlite, postgres])('the $name store made by an earlier release', (kind) => {
  it('gains the new columns of its operations on init, their rows kept', async () => {
    const { store, exec, drop } = await kind.open()
    try {
      await exec(
        'CREATE TABLE bulks (id TEXT PRIMARY KEY, action TEXT NOT NULL, vhost TEXT NOT NULL, ' +
          'queue TEXT NOT NULL, target TEXT, selection TEXT NOT NULL, rate REAL, status TEXT ' +
          'NOT NULL, total INTEGER NOT NULL, done INTEGER NOT NULL, failed INTEGER NOT NULL, ' +
          'failures TEXT NOT NULL, actor TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at ' +
          'BIGINT NOT NULL, finished_at BIGINT, error TEXT); ' +
          `INSERT INTO bulks VALUES ('op-old', 'delete', 'vh', 'q.dlq', NULL, '{"filter":{}}', ` +
          `NULL, 'running', 5, 2, 0, '[]', 'ann', 1000, 2000, NULL, NULL)`,
      )
      await store.init()
      await store.init()
      expect(await store.getBulk('op-old')).toMatchObject({
        status: 'running',
        done: 2,
        skipped: 0,
        owner: null,
        leaseUntil: 0,
        measuredRate: null,
        possibleDuplicates: 0,
      })
      const claim = { owner: 'a', now: 3000, leaseMs: 1000, from: ['running'] as const }
      expect(await store.claimBulk('op-old', claim)).toMatchObject({ owner: 'a' })
    } finally {
      await store.close()
      await drop()
    }
  })
})

describe('the sqlite search index', () => {
  it('finds dead letters before the indexer reaches them and after, then from the index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-store-'))
    const path = join(dir, 'dead-letters.db')
    const store = createSqliteStore({ path })
    const queue = newQueue()
    const reader = () => new Database(path, { readonly: true })
    try {
      await store.init()
      await store.insert([
        letter(queue, { searchText: 'first of the two, quokka-1' }),
        letter(queue, { searchText: 'second of the two, quokka-2' }),
      ])
      // Right after the commit, whether the indexer got there or not.
      expect(await store.count(VHOST, queue, { search: 'quokka' })).toBe(2)
      expect(await store.count(VHOST, queue, { search: 'QUOKKA-2' })).toBe(1)
      // The indexer catches up on its own, and the index alone then finds both.
      const db = reader()
      try {
        const deadline = Date.now() + 10_000
        const matched = () =>
          db
            .prepare('SELECT rowid FROM dead_letters_search WHERE dead_letters_search MATCH ?')
            .all('"quokka"').length
        while (matched() < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        expect(matched()).toBe(2)
        const { seq } = db.prepare('SELECT indexed_to AS seq FROM search_progress').get() as {
          seq: number
        }
        const { max } = db.prepare('SELECT max(seq) AS max FROM dead_letters').get() as {
          max: number
        }
        expect(seq).toBe(max)
      } finally {
        db.close()
      }
      expect(await store.count(VHOST, queue, { search: 'quokka' })).toBe(2)
      expect(await store.count(VHOST, queue, { search: 'of the two, quokka-1' })).toBe(1)
    } finally {
      await store.close()
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
