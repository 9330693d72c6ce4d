import type { ConsumerHandle } from './consume/consumer.js'
import type { Handler, Handlers } from './consume/message.js'
import type { ConsumeOptions, PublishOptions } from './options.js'
import type { BatchItem } from './publish/route.js'
import type {
  ConsumeBody,
  ExchangeName,
  PublishBody,
  QueueName,
  RoutingKey,
  TopologyDefinition,
} from './topology/types.js'

/**
 * What services need from a broker: publish, consume, close. The real `Broker` satisfies it and
 * so does `FakeBroker` from `@warren/sdk/testing`, so code written against `BrokerLike` is unit
 * tested without RabbitMQ.
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
  close(): Promise<void>
}
