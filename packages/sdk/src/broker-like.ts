import type { Schema, SchemaOutput } from './schema.js'
import type { BatchHandler } from './batch/batcher.js'
import type { BatchConsumeOptions } from './batch/options.js'
import type { ConsumerHandle } from './consume/consumer.js'
import type { Handler, Handlers } from './consume/message.js'
import type { ConsumeOptions, PublishOptions } from './options.js'
import type { BatchItem } from './publish/route.js'
import type { RequestOptions } from './rpc/options.js'
import type { Responder } from './rpc/respond.js'
import type { ScheduleOptions } from './schedule/options.js'
import type { ScheduleHandle } from './schedule/schedule.js'
import type {
  ConsumeBody,
  ExchangeName,
  PublishBody,
  QueueName,
  RoutingKey,
  TopologyDefinition,
} from './topology/types.js'

/**
 * What services need from a broker: publish, consume, request/reply, batches, schedules, close.
 * The real `Broker` satisfies it and so does `FakeBroker` from `@warren/sdk/testing`, so code
 * written against `BrokerLike` is unit tested without RabbitMQ.
 *
 * @example
 * export function startBilling(broker: BrokerLike<typeof topology>) {
 *   return broker.consume('billing.charge', (msg) => charge(msg.body))
 * }
 */
export interface BrokerLike<T extends TopologyDefinition = TopologyDefinition> {
  publish<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, N extends string = RK>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, N>,
    options?: PublishOptions & { type?: N },
  ): Promise<void>
  publishBatch(items: readonly BatchItem<ExchangeName<T>>[]): Promise<void>
  consume<Q extends QueueName<T>>(
    queue: Q,
    handler: Handler<ConsumeBody<T, Q>> | Handlers<T>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>
  consumeBatch<Q extends QueueName<T>>(
    queue: Q,
    handler: BatchHandler<ConsumeBody<T, Q>>,
    options?: BatchConsumeOptions,
  ): Promise<ConsumerHandle>
  request<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, S extends Schema>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: RequestOptions & { reply: S },
  ): Promise<SchemaOutput<S>>
  request<R = unknown, E extends ExchangeName<T> = ExchangeName<T>, RK extends string = string>(
    exchange: E,
    routingKey: RK & RoutingKey<T, E>,
    body: PublishBody<T, RK>,
    options?: RequestOptions,
  ): Promise<R>
  respond<Q extends QueueName<T>>(
    queue: Q,
    responder: Responder<ConsumeBody<T, Q>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>
  schedule<E extends ExchangeName<T>, RK extends RoutingKey<T, E>>(
    cron: string,
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK> | (() => PublishBody<T, RK> | Promise<PublishBody<T, RK>>),
    options?: ScheduleOptions,
  ): Promise<ScheduleHandle>
  close(): Promise<void>
}
