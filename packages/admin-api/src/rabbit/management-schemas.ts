import { z } from 'zod'

// RabbitMQ encodes an empty Erlang proplist as `[]`, so "an object" may arrive as an empty array.
const table = z.preprocess(
  (value) => (Array.isArray(value) || value == null ? {} : value),
  z.record(z.string(), z.unknown()),
)

const sample = z.object({ sample: z.number(), timestamp: z.number() })
const details = z.object({ rate: z.number().catch(0), samples: z.array(sample).optional() })

/** Cumulative counters and their rates; every field is absent until the first sample. */
export const messageStatsSchema = z
  .object({
    publish: z.number(),
    publish_details: details,
    deliver_get: z.number(),
    deliver_get_details: details,
    ack: z.number(),
    ack_details: details,
    redeliver: z.number(),
    redeliver_details: details,
    confirm: z.number(),
    confirm_details: details,
  })
  .partial()

export const queueSchema = z.object({
  name: z.string(),
  vhost: z.string(),
  type: z.string().catch('classic').default('classic'),
  durable: z.boolean().optional(),
  arguments: table,
  policy: z.string().nullish(),
  effective_policy_definition: table.optional(),
  operator_policy: z.string().nullish(),
  /**
   * The delivery limit in force (RabbitMQ 4.x, quorum queues): a number or `"unlimited"`. 3.x
   * does not report it; it is then worked out from the arguments and policies.
   */
  delivery_limit: z.union([z.number(), z.string()]).optional(),
  messages: z.number().optional(),
  messages_ready: z.number().optional(),
  messages_unacknowledged: z.number().optional(),
  consumers: z.number().optional(),
  head_message_timestamp: z.number().nullish(),
  message_stats: messageStatsSchema.optional(),
  messages_details: details.optional(),
  messages_ready_details: details.optional(),
  messages_unacknowledged_details: details.optional(),
  state: z.string().optional(),
})
export type ManagementQueue = z.infer<typeof queueSchema>

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    page: z.number(),
    page_count: z.number(),
    total_count: z.number(),
  })

export const bindingSchema = z.object({
  source: z.string(),
  vhost: z.string(),
  destination: z.string(),
  destination_type: z.enum(['queue', 'exchange']),
  routing_key: z.string(),
  arguments: table,
})
export type ManagementBinding = z.infer<typeof bindingSchema>

export const exchangeSchema = z.object({
  name: z.string(),
  vhost: z.string(),
  type: z.string(),
  arguments: table,
})
export type ManagementExchange = z.infer<typeof exchangeSchema>

export const policySchema = z.object({
  vhost: z.string(),
  name: z.string(),
  pattern: z.string(),
  'apply-to': z.string(),
  definition: table,
  priority: z.number(),
})
export type ManagementPolicy = z.infer<typeof policySchema>

export const overviewSchema = z.object({
  rabbitmq_version: z.string().optional(),
  management_version: z.string().optional(),
  product_version: z.string().optional(),
  cluster_name: z.string().optional(),
  node: z.string().optional(),
  /**
   * True when the broker keeps no message statistics (`management.disable_stats`, or RabbitMQ 4.x
   * with `deprecated_features.permit.management_metrics_collection = false`): no counts, no
   * rates and no `queue_totals` anywhere in the management API.
   */
  disable_stats: z.boolean().optional(),
  message_stats: messageStatsSchema.optional(),
  queue_totals: z
    .object({
      messages: z.number(),
      messages_ready: z.number(),
      messages_unacknowledged: z.number(),
      /** Depth samples, when asked for with `lengths_age`. */
      messages_details: details,
    })
    .partial()
    .optional(),
  object_totals: z
    .object({
      connections: z.number(),
      channels: z.number(),
      exchanges: z.number(),
      queues: z.number(),
      consumers: z.number(),
    })
    .partial()
    .optional(),
})
export type ManagementOverview = z.infer<typeof overviewSchema>

/** A vhost in `/api/vhosts?columns=name`. */
export const vhostSchema = z.object({ name: z.string() })

export const nodeSchema = z.object({
  name: z.string(),
  running: z.boolean().optional(),
  type: z.string().optional(),
})
export type ManagementNode = z.infer<typeof nodeSchema>
