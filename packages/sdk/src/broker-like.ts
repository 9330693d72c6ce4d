import type { BatchItem, Handlers } from './broker.js'
import type { ConsumerHandle } from './consume/consumer.js'
import type { Handler } from './consume/message.js'
import type { ConsumeOptions, PublishOptions } from './options.js'
import type { ConsumeBody, PublishBody, QueueName, TopologyDefinition } from './topology/types.js'

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
  publish<RK extends string>(
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options?: PublishOptions,
  ): Promise<void>
  publishBatch(items: readonly BatchItem[]): Promise<void>
  consume<Q extends QueueName<T>>(
    queue: Q,
    handler: Handler<ConsumeBody<T, Q>> | Handlers<T>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle>
  close(): Promise<void>
}
