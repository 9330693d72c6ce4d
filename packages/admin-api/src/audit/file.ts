import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AuditEntry, AuditRecorder } from './types.js'

/** A page of audit entries, newest first. */
export interface AuditPage {
  items: AuditEntry[]
  total: number
}

/** The durable audit log: records and reads back what operators did. */
export interface AuditLog extends AuditRecorder {
  /** Newest first. */
  list(options: { limit: number; offset: number }): Promise<AuditPage>
  /** The file the entries are appended to. */
  readonly path: string
}

/**
 * An append-only JSON Lines file (`<dataDir>/audit.jsonl`), fsync'd on every entry so that a
 * recorded operation survives a crash or restart; appends are serialised so lines never
 * interleave. Plain text, so operators can ship it to their log system or read it with `jq`.
 */
export function createFileAuditLog(dataDir: string, now: () => Date = () => new Date()): AuditLog {
  const path = join(dataDir, 'audit.jsonl')
  let tail: Promise<void> = mkdir(dataDir, { recursive: true }).then(() => undefined)

  async function append(line: string): Promise<void> {
    const file = await open(path, 'a', 0o600)
    try {
      await file.write(line)
      await file.sync()
    } finally {
      await file.close()
    }
  }

  async function readAll(): Promise<AuditEntry[]> {
    await tail.catch(() => undefined)
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const entries: AuditEntry[] = []
    for (const line of text.split('\n')) {
      if (!line.trim()) continue
      try {
        entries.push(JSON.parse(line) as AuditEntry)
      } catch {
        // A line cut short by a crash mid-write: skip it, keep the rest readable.
      }
    }
    return entries
  }

  return {
    path,
    record(entry) {
      const full: AuditEntry = { id: randomUUID(), at: now().toISOString(), ...entry }
      const line = `${JSON.stringify(full)}\n`
      const written = tail.then(() => append(line))
      tail = written.catch(() => undefined)
      return written
    },
    async list({ limit, offset }) {
      const entries = await readAll()
      entries.reverse()
      return { items: entries.slice(offset, offset + limit), total: entries.length }
    },
  }
}
