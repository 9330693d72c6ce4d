import { Link } from '@tanstack/react-router'
import { formatCount, formatDelay } from '../../lib/format.js'

export interface TopologyNode {
  name: string
  messages: number | null
}

export interface QueueTopologyProps {
  vhost: string
  /** Exchanges that route into the work queue and their keys (the default exchange left out). */
  bindings: { exchange: string; routingKey: string }[]
  queue: TopologyNode
  tiers: (TopologyNode & { delayMs: number })[]
  deadLetterQueue: TopologyNode | null
}

const describeBinding = (b: { exchange: string; routingKey: string }) =>
  `${b.exchange} (${b.routingKey || 'empty key'})`

const Arrow = () => (
  <span className="topo-arrow" aria-hidden="true">
    →
  </span>
)

/** exchanges → queue → retry tiers → DLQ, the exchanges with their keys, queues with counts. */
export function QueueTopology({
  vhost,
  bindings,
  queue,
  tiers,
  deadLetterQueue,
}: QueueTopologyProps) {
  const description = [
    bindings.length
      ? `${bindings.length > 1 ? 'exchanges' : 'exchange'} ${bindings.map(describeBinding).join(', ')}`
      : null,
    `queue ${queue.name} (${formatCount(queue.messages)})`,
    tiers.length
      ? `retry tiers ${tiers.map((t) => `${t.name} (${formatCount(t.messages)})`).join(', ')}`
      : null,
    deadLetterQueue
      ? `dead-letter queue ${deadLetterQueue.name} (${formatCount(deadLetterQueue.messages)})`
      : 'no dead-letter queue',
  ]
    .filter(Boolean)
    .join(' → ')

  return (
    <div
      className="topology"
      role="group"
      aria-label={`Topology of ${queue.name}: ${description}`}
      data-testid="topology"
    >
      {bindings.length ? (
        <>
          <span className="topo-tiers">
            {bindings.map((b) => (
              <span
                key={`${b.exchange}\u0000${b.routingKey}`}
                className="topo-node exchange"
                title={`Exchange ${b.exchange}, routing key ${b.routingKey || '(empty)'}`}
              >
                {b.exchange}
                <span className="routing-key">{b.routingKey || '(empty key)'}</span>
              </span>
            ))}
          </span>
          <Arrow />
        </>
      ) : null}
      <span className="topo-node work">
        {queue.name}
        <span className="count">{formatCount(queue.messages)}</span>
      </span>
      {tiers.length ? (
        <>
          <Arrow />
          <span className="topo-tiers">
            {tiers.map((tier) => (
              <span key={tier.name} className="topo-node retry" title={tier.name}>
                retry {formatDelay(tier.delayMs)}
                <span className="count">{formatCount(tier.messages)}</span>
              </span>
            ))}
          </span>
        </>
      ) : null}
      <Arrow />
      {deadLetterQueue ? (
        <Link
          to="/dead-letters/$vhost/$queue"
          params={{ vhost, queue: deadLetterQueue.name }}
          className={`topo-node dlq ${deadLetterQueue.messages ? 'has-messages' : ''}`}
        >
          {deadLetterQueue.name}
          <span className="count">{formatCount(deadLetterQueue.messages)}</span>
        </Link>
      ) : (
        <span className="topo-node muted">no DLQ</span>
      )}
    </div>
  )
}
