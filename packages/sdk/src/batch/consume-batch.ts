import type { ConsumerHandle } from '../consume/consumer.js'
import type { Handler } from '../consume/message.js'
import type { ConsumeOptions } from '../options.js'
import { Batcher, type BatchHandler } from './batcher.js'
import { resolveBatchOptions, type BatchConsumeOptions } from './options.js'

/**
 * `consumeBatch` of both brokers, real and fake: a batcher over a per-message consumer, so
 * batching behaves the same whichever transport is under it.
 */
export function consumeInBatches(
  consume: (handler: Handler<unknown>, options: ConsumeOptions) => Promise<ConsumerHandle>,
  handler: BatchHandler,
  options: BatchConsumeOptions | undefined,
): Promise<ConsumerHandle> {
  const resolved = resolveBatchOptions(options)
  const batcher = new Batcher(handler, resolved)
  return consume((msg) => batcher.add(msg), resolved.consume)
}
