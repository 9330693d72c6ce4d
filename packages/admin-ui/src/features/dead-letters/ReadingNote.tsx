import type { getMessages } from './api/get-messages.js'

type Reading = Awaited<ReturnType<typeof getMessages>>['reading']

/**
 * How Warren read this queue, so an operator knows that looking cost the dead letters nothing:
 * under a delivery limit each return could move a message towards being dropped.
 */
export function ReadingNote({ reading }: { reading: Reading | undefined }) {
  if (!reading || reading.deliveryLimit === null) return null
  const limit = `delivery limit of ${reading.deliveryLimit}`
  if (reading.mode === 'reseat') {
    const at = new Date(reading.readAt).toLocaleTimeString()
    return (
      <p className="notice warn" data-testid="reading-note">
        This quorum queue has a {limit}, and this broker counts every message handed back. Warren
        reads it by putting an identical copy of each message back in its place before removing the
        original, so nothing moves closer to the limit. Shown as read at {at}; it is read again when
        its count changes or after 30 seconds.
      </p>
    )
  }
  return (
    <p className="notice ok" data-testid="reading-note">
      This quorum queue has a {limit}. Warren hands the messages it reads back with a requeueing
      nack, which this broker does not count against the limit.
    </p>
  )
}
