export { createApp } from './app.js'
export type { AppOverrides, AppType, WarrenApp } from './app.js'
export { loadConfig, ConfigError } from './config.js'
export type { Config } from './config.js'
export { startServer } from './server.js'
export { createWarrenAdmin } from './embed.js'
export type { WarrenAdmin, WarrenAdminOptions } from './embed.js'
export type { RunningServer } from './server.js'
export { AdminApiError, ApiError } from './errors.js'
export type { Actor, AppEnv, Role } from './context.js'
export type { AuditAction, AuditEntry, AuditOutcome, AuditRecorder } from './audit/types.js'
export type {
  DiscoveredQueue,
  QueueBinding,
  QueueRole,
  QueueRates,
  RetryTier,
} from './discovery/index.js'
export type { Alert, AlertRule } from './alerts/index.js'
export { createDeadLetterModule } from './dead-letters/module.js'
export { managementQueueFacts } from './discovery/index.js'
export type { QueueFacts, QueueFactsLookup } from './dead-letters/reading.js'
export type { DeadLetterModule, DeadLetterModuleOptions } from './dead-letters/module.js'
export type {
  ArchivedMessage,
  ArchiveListResult,
  BrowseReading,
  BrowseResult,
  DeleteResult,
  FailedMessage,
  JsonValue,
  MessageView,
  OperationKind,
  OperationStatus,
  OperationView,
  PayloadEncoding,
  PurgeResult,
  RequeueResult,
  RestoreResult,
} from './dead-letters/schemas.js'
// The stored dead letters' routes, until the app mounts them (then they are part of AppType).
export type {
  BulkActionName,
  BulkDryRun,
  BulkOperationView,
  BulkStatusName,
  ExportLine,
  NoteView,
  RetryResult,
} from './operations/bulk-schemas.js'
export type { GroupView, GroupsResult } from './dead-letters/schemas.js'
