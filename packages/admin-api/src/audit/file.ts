import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chainedLine, GENESIS, verifyChain, type ChainedEntry, type Verification } from './chain.js'
import type { AuditEntry, AuditRecorder } from './types.js'

/** A page of audit entries, newest first. */
export interface AuditPage {
  items: ChainedEntry[]
  total: number
}

/** The durable audit log: records and reads back what operators did. */
export interface AuditLog extends AuditRecorder {
  /** Newest first. */
  list(options: { limit: number; offset: number }): Promise<AuditPage>
  /** Checks every link of the file (`GET /api/audit/verify`). */
  verify(): Promise<Verification>
  /** The file the entries are appended to. */
  readonly path: string
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return ''
    throw error
  }
}

/**
 * An append-only JSON Lines file (`<dataDir>/audit.jsonl`), fsync'd on every entry so that a
 * recorded operation survives a crash or restart; appends are serialised so lines never
 * interleave. Plain text, so operators can ship it to their log system or read it with `jq`.
 * Tamper-evident: each line carries the hash of the one before and its own, so an edited,
 * removed or inserted line breaks the chain where it happened ({@link verifyChain}).
 */
export function createFileAuditLog(dataDir: string, now: () => Date = () => new Date()): AuditLog {
  const path = join(dataDir, 'audit.jsonl')
  let last = GENESIS
  let tail: Promise<void> = mkdir(dataDir, { recursive: true })
    .then(() => readText(path))
    .then(async (text) => {
      // Chain on from the file's last line even when an earlier one was tampered with: the
      // break stays where it is, for verify to report, and new lines stay checkable.
      last = /"hash":"([0-9a-f]{64})"}\s*$/.exec(text)?.[1] ?? GENESIS
      // A line cut short by a crash stays alone on its line.
      if (text.length > 0 && !text.endsWith('\n')) await append('\n')
    })

  async function append(line: string): Promise<void> {
    const file = await open(path, 'a', 0o600)
    try {
      await file.write(line)
      await file.sync()
    } finally {
      await file.close()
    }
  }

  async function readAll(): Promise<ChainedEntry[]> {
    await tail.catch(() => undefined)
    const text = await readText(path)
    const entries: ChainedEntry[] = []
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      try {
        entries.push(JSON.parse(line) as ChainedEntry)
      } catch {
        // A line cut short by a crash mid-write: skip it, keep the rest readable.
      }
    }
    return entries
  }

  return {
    path,
    record(entry) {
      // Who, as the audit names them: a person's per-vhost roles belong to the session.
      const { name, role, from } = entry.actor
      const actor = { name, role, ...(from === undefined ? {} : { from }) }
      const full: AuditEntry = { id: randomUUID(), at: now().toISOString(), ...entry, actor }
      const written = tail.then(() => {
        const chained = chainedLine(full, last)
        last = chained.hash
        return append(`${chained.line}\n`)
      })
      tail = written.catch(() => undefined)
      return written
    },
    async verify() {
      await tail.catch(() => undefined)
      return verifyChain(await readText(path))
    },
    async list({ limit, offset }) {
      const entries = await readAll()
      entries.reverse()
      return { items: entries.slice(offset, offset + limit), total: entries.length }
    },
  }
}
