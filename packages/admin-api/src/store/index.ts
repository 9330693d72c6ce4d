export { fingerprint, normaliseMessage } from './fingerprint.js'
export type { FingerprintInput } from './fingerprint.js'
export { createPostgresStore } from './postgres.js'
export type { PostgresStoreOptions } from './postgres.js'
export { createSqliteStore } from './sqlite.js'
export type { SqliteStoreOptions } from './sqlite.js'
export type {
  BulkAction,
  BulkClaim,
  BulkProgress,
  BulkRecord,
  BulkStatus,
  DeadLetterFilter,
  DeadLetterStore,
  GroupRow,
  NewDeadLetter,
  NoteRecord,
  QueueSummary,
  Selection,
  StoredDeadLetter,
  StoredState,
} from './types.js'
