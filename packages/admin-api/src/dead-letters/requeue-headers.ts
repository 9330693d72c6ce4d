// What an operator's requeue changes on a dead letter. Only the overrides are returned: the caller
// spreads them over the message's own headers, which keep their AMQP types untouched.

/** Headers a requeue sets: one more requeue, attempts counted from zero again. */
export function requeueHeaders(headers: Record<string, unknown>, at: string) {
  const previous = Number(headers['warren-requeue-count'] ?? 0)
  return {
    'warren-attempt': 0,
    'warren-requeue-count': (Number.isFinite(previous) ? previous : 0) + 1,
    'warren-requeued-at': at,
  }
}
