// `Broker` is a type: `connect()` is the one way to obtain one.
export { connect } from './broker.js'
export type { Broker, BrokerEvents, BatchItem, Handlers } from './broker.js'
export type { BrokerLike } from './broker-like.js'
export { defineTopology } from './topology/define.js'
export { retryQueueName, deadLetterQueueName } from './topology/names.js'
export type {
  TopologyDefinition,
  ExchangeDefinition,
  ExchangeType,
  QueueDefinition,
  BindingDefinition,
  RetryDefinition,
  QueueName,
  ExchangeName,
  RoutingKey,
  PublishBody,
  ConsumeBody,
  MessageName,
  MessageBody,
} from './topology/types.js'
export {
  WarrenError,
  TopologyError,
  ValidationError,
  UnroutableError,
  MessageTooLargeError,
  NonRetryableError,
  TimeoutError,
  BufferFullError,
  ClosedError,
  RemoteError,
} from './errors.js'
export type { WarrenErrorCode, ValidationIssue } from './errors.js'
export { HEADERS, DEAD_LETTER_REASONS } from './headers.js'
export type { DeadLetterReason } from './headers.js'
export { toMs, formatDuration } from './duration.js'
export type { Duration } from './duration.js'
export type {
  ConnectOptions,
  ConsumeOptions,
  PublishOptions,
  ReconnectOptions,
  PublishBufferOptions,
} from './options.js'
export type { ConsumerHandle as Consumer } from './consume/consumer.js'
export type { Message, Handler } from './consume/message.js'
export type { Logger, LogFields } from './logging/logger.js'
export type { IdempotencyStore } from './idempotency/store.js'
export type { EncryptionOptions } from './encryption/keyring.js'
export type { MetricsOptions } from './metrics/options.js'
export type { MetricsRegistry } from './metrics/prom-client-types.js'
export { METRIC_NAMES } from './metrics/options.js'
export type { TracingOptions } from './tracing/options.js'
export type { OtelTracerProvider } from './tracing/otel-types.js'
export { MemoryIdempotencyStore } from './idempotency/memory-store.js'
export type { MemoryIdempotencyStoreOptions } from './idempotency/memory-store.js'
export { RedisIdempotencyStore } from './idempotency/redis-store.js'
export type { RedisClientLike, RedisIdempotencyStoreOptions } from './idempotency/redis-store.js'
export { subscription } from './events/subscription.js'
export type { SubscriptionOptions, SubscriptionQueue } from './events/subscription.js'
export type { BatchHandler, BatchOutcome } from './batch/batcher.js'
export type { BatchConsumeOptions } from './batch/options.js'
export type { BrokerDiagnostics } from './broker.js'
export type { DelayedRetrySupport } from './retry/probe.js'
export type { RequestOptions } from './rpc/options.js'
export type { Responder } from './rpc/respond.js'
export type { StandardSchemaV1 } from './schema.js'
export type { ScheduleHandle } from './schedule/schedule.js'
export type { ScheduleOptions } from './schedule/options.js'
