// The SQLite store's tables. A dead letter names its queue by a small interned id, so a million
// rows do not repeat the vhost and queue names in the table and in every index.
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  id INTEGER PRIMARY KEY,
  vhost TEXT NOT NULL,
  name TEXT NOT NULL,
  UNIQUE (vhost, name)
);

-- AUTOINCREMENT: a seq is never handed out twice, so one an operator saw stays that message's.
CREATE TABLE IF NOT EXISTS dead_letters (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id INTEGER NOT NULL REFERENCES queues (id),
  state TEXT NOT NULL DEFAULT 'held',
  intake_at INTEGER NOT NULL,
  -- coalesce(dead_lettered_at, intake_at): the time filters and groups use.
  seen_at INTEGER NOT NULL,
  dead_lettered_at INTEGER,
  digest TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  message_id TEXT,
  reason TEXT,
  error_name TEXT,
  error_message TEXT,
  original_queue TEXT,
  original_routing_key TEXT,
  exchange TEXT NOT NULL,
  routing_key TEXT NOT NULL,
  settled_at INTEGER,
  settled_by TEXT,
  settled_by_operation TEXT,
  search_text TEXT NOT NULL,
  properties TEXT NOT NULL,
  header_table BLOB,
  content BLOB NOT NULL
);
-- count, page, scan and the states of a queue.
CREATE INDEX IF NOT EXISTS dead_letters_state ON dead_letters (queue_id, state, seq);
-- groups, read from the index alone, and the group filter.
CREATE INDEX IF NOT EXISTS dead_letters_groups
  ON dead_letters (queue_id, state, fingerprint, original_queue, seen_at, seq);
-- a redelivered copy's lookup.
CREATE INDEX IF NOT EXISTS dead_letters_digest ON dead_letters (queue_id, digest);
-- the filters beside search and group (rows of one value stay in seq order, a page's order), and
-- the time filter and the oldest held row of a queue.
CREATE INDEX IF NOT EXISTS dead_letters_reason ON dead_letters (queue_id, state, reason, seq);
CREATE INDEX IF NOT EXISTS dead_letters_error ON dead_letters (queue_id, state, error_name, seq);
CREATE INDEX IF NOT EXISTS dead_letters_routing
  ON dead_letters (queue_id, state, original_routing_key, seq);
CREATE INDEX IF NOT EXISTS dead_letters_seen ON dead_letters (queue_id, state, seen_at);

-- Search: a trigram index of each dead letter's search text (contentless: only the seqs are
-- kept; the text is in dead_letters), filled behind the intake by the search indexer
-- (sqlite-search-index.ts) up to search_progress.indexed_to; rows after it are searched by scan.
CREATE VIRTUAL TABLE IF NOT EXISTS dead_letters_search
  USING fts5 (search_text, content = '', tokenize = 'trigram');
CREATE TABLE IF NOT EXISTS search_progress (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  indexed_to INTEGER NOT NULL
);
INSERT OR IGNORE INTO search_progress (id, indexed_to) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS bulks (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  vhost TEXT NOT NULL,
  queue TEXT NOT NULL,
  target TEXT,
  selection TEXT NOT NULL,
  rate REAL,
  status TEXT NOT NULL,
  total INTEGER NOT NULL,
  done INTEGER NOT NULL,
  failed INTEGER NOT NULL,
  failures TEXT NOT NULL,
  actor TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER,
  error TEXT
);
CREATE INDEX IF NOT EXISTS bulks_queue ON bulks (vhost, queue, status);
-- More columns of bulks: SQLITE_BULK_COLUMNS.

-- A bulk operation's snapshot: the seqs it matched when confirmed, each pending until handled.
CREATE TABLE IF NOT EXISTS bulk_items (
  op_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  PRIMARY KEY (op_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bulk_items_status ON bulk_items (op_id, status, seq);

CREATE TABLE IF NOT EXISTS notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  vhost TEXT NOT NULL,
  queue TEXT NOT NULL,
  target TEXT NOT NULL,
  text TEXT NOT NULL,
  author TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_target ON notes (vhost, queue, target);
`

/**
 * Columns `bulks` gained after its first release: `init` adds each one a store lacks, so an
 * existing file upgrades in place and a new one takes the same path.
 */
export const SQLITE_BULK_COLUMNS: readonly (readonly [name: string, definition: string])[] = [
  ['skipped', 'INTEGER NOT NULL DEFAULT 0'],
  ['owner', 'TEXT'],
  ['lease_until', 'INTEGER NOT NULL DEFAULT 0'],
  ['measured_rate', 'REAL'],
  ['possible_duplicates', 'INTEGER NOT NULL DEFAULT 0'],
]
