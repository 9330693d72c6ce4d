import { createHash } from 'node:crypto'
import type { AuditEntry } from './types.js'

/** An entry as the file holds it: linked to the one before it. */
export type ChainedEntry = AuditEntry & {
  /** `hash` of the previous entry; `GENESIS` for the first. */
  prev: string
  /** SHA-256 over the entry's JSON without this field, `prev` included. */
  hash: string
}

/** The `prev` of the first entry of a file. */
export const GENESIS = '0'.repeat(64)

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/** The line of an entry that follows the entry hashed `prev`. */
export function chainedLine(entry: AuditEntry, prev: string): { line: string; hash: string } {
  const linked = { ...entry, prev }
  const hash = sha256(JSON.stringify(linked))
  return { line: JSON.stringify({ ...linked, hash }), hash }
}

export interface Verification {
  /** True when every line is where its predecessor says and says what its hash says. */
  ok: boolean
  /** Lines read, blank ones not counted. */
  entries: number
  /** Lines written before the log was chained (at the file's start, so nothing to check). */
  unchained: number
  /** The first line that breaks the chain, 1-based, and why. */
  firstBroken?: { line: number; id: string | null; reason: string }
  /** The hash of the last entry: a new entry's `prev`. */
  last: string
}

/** Walks the file's text from the top and reports the first broken link. */
export function verifyChain(text: string): Verification {
  let last = GENESIS
  let entries = 0
  let unchained = 0
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (!line.trim()) continue
    entries += 1
    const broken = (id: string | null, reason: string): Verification => ({
      ok: false,
      entries,
      unchained,
      firstBroken: { line: i + 1, id, reason },
      last,
    })
    let parsed: Partial<ChainedEntry>
    try {
      parsed = JSON.parse(line) as Partial<ChainedEntry>
    } catch {
      return broken(null, 'not a JSON line (cut short or edited)')
    }
    const id = typeof parsed.id === 'string' ? parsed.id : null
    if (parsed.hash === undefined && parsed.prev === undefined && last === GENESIS) {
      unchained += 1
      continue
    }
    const { hash, ...rest } = parsed
    if (parsed.prev !== last) return broken(id, 'does not follow the line before it')
    if (hash !== sha256(JSON.stringify(rest)))
      return broken(id, 'its content does not match its hash')
    last = hash
  }
  return { ok: true, entries, unchained, last }
}
