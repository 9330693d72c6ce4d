// The PostgreSQL store's tables: the same as SQLite's (sqlite-schema.ts), in PostgreSQL's types,
// content as bytea and properties as jsonb.
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS queues (
  id serial PRIMARY KEY,
  vhost text NOT NULL,
  name text NOT NULL,
  UNIQUE (vhost, name)
);

CREATE TABLE IF NOT EXISTS dead_letters (
  seq bigserial PRIMARY KEY,
  queue_id integer NOT NULL REFERENCES queues (id),
  state text NOT NULL DEFAULT 'held',
  intake_at bigint NOT NULL,
  -- coalesce(dead_lettered_at, intake_at): the time filters and groups use.
  seen_at bigint NOT NULL,
  dead_lettered_at bigint,
  digest text NOT NULL,
  fingerprint text NOT NULL,
  message_id text,
  reason text,
  error_name text,
  error_message text,
  original_queue text,
  original_routing_key text,
  exchange text NOT NULL,
  routing_key text NOT NULL,
  settled_at bigint,
  settled_by text,
  settled_by_operation text,
  search_text text NOT NULL,
  properties jsonb NOT NULL,
  header_table bytea,
  content bytea NOT NULL
);
-- count, page, scan and the states of a queue.
CREATE INDEX IF NOT EXISTS dead_letters_state ON dead_letters (queue_id, state, seq);
-- count of held rows, from an index half the size.
CREATE INDEX IF NOT EXISTS dead_letters_held ON dead_letters (queue_id) WHERE state = 'held';
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

CREATE TABLE IF NOT EXISTS bulks (
  id text PRIMARY KEY,
  action text NOT NULL,
  vhost text NOT NULL,
  queue text NOT NULL,
  target text,
  selection jsonb NOT NULL,
  rate double precision,
  status text NOT NULL,
  total integer NOT NULL,
  done integer NOT NULL,
  failed integer NOT NULL,
  failures jsonb NOT NULL,
  actor text NOT NULL,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  finished_at bigint,
  error text
);
CREATE INDEX IF NOT EXISTS bulks_queue ON bulks (vhost, queue, status);
-- Columns added after the first release: an existing store gains them in place.
ALTER TABLE bulks ADD COLUMN IF NOT EXISTS skipped integer NOT NULL DEFAULT 0;
ALTER TABLE bulks ADD COLUMN IF NOT EXISTS owner text;
ALTER TABLE bulks ADD COLUMN IF NOT EXISTS lease_until bigint NOT NULL DEFAULT 0;
ALTER TABLE bulks ADD COLUMN IF NOT EXISTS measured_rate double precision;
ALTER TABLE bulks ADD COLUMN IF NOT EXISTS possible_duplicates integer NOT NULL DEFAULT 0;

-- A bulk operation's snapshot: the seqs it matched when confirmed, each pending until handled.
CREATE TABLE IF NOT EXISTS bulk_items (
  op_id text NOT NULL,
  seq bigint NOT NULL,
  status text NOT NULL,
  PRIMARY KEY (op_id, seq)
);
CREATE INDEX IF NOT EXISTS bulk_items_status ON bulk_items (op_id, status, seq);

CREATE TABLE IF NOT EXISTS notes (
  id bigserial PRIMARY KEY,
  vhost text NOT NULL,
  queue text NOT NULL,
  target text NOT NULL,
  text text NOT NULL,
  author text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_target ON notes (vhost, queue, target);
`

/**
 * Substring search through a trigram index. Without pg_trgm (an extension the server may not
 * ship, or the role may not be allowed to create), search is a plain ILIKE over the queue's rows.
 */
export const POSTGRES_SEARCH_INDEX =
  'CREATE INDEX IF NOT EXISTS dead_letters_search ON dead_letters ' +
  // A larger pending list (16 MiB, the default 4) merges new rows' trigrams in fewer, larger
  // steps: intake of a large backlog runs about a quarter faster.
  'USING gin (search_text gin_trgm_ops) WITH (gin_pending_list_limit = 16384)'
