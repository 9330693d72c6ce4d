import type { DeadLetterMessage } from './types.js'

export interface MessageFilters {
  reason: string
  errorText: string
  routingKey: string
  originalQueue: string
}

export const NO_FILTERS: MessageFilters = {
  reason: '',
  errorText: '',
  routingKey: '',
  originalQueue: '',
}

const includes = (value: string | null | undefined, needle: string) =>
  (value ?? '').toLowerCase().includes(needle)

/** Applies the table's filters; empty fields match everything. */
export function filterMessages(
  messages: readonly DeadLetterMessage[],
  filters: MessageFilters,
): DeadLetterMessage[] {
  const errorText = filters.errorText.trim().toLowerCase()
  const routingKey = filters.routingKey.trim().toLowerCase()
  return messages.filter(
    (m) =>
      (!filters.reason || m.reason === filters.reason) &&
      (!filters.originalQueue || m.originalQueue === filters.originalQueue) &&
      (!routingKey || includes(m.routingKey, routingKey)) &&
      (!errorText ||
        includes(m.error?.name, errorText) ||
        includes(m.error?.message, errorText) ||
        includes(m.error?.stack, errorText)),
  )
}

/** The distinct non-empty values of one field, sorted: the options of a filter select. */
export function distinct(
  messages: readonly DeadLetterMessage[],
  pick: (m: DeadLetterMessage) => string | null,
): string[] {
  const values = new Set<string>()
  for (const m of messages) {
    const value = pick(m)
    if (value) values.add(value)
  }
  return [...values].sort()
}

/**
 * An error message with its variable parts (ids, numbers) replaced, so that "Card declined for
 * order 17" and "... order 18" fall into one group.
 */
export function errorShape(message: string): string {
  return message
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '‹id›')
    .replace(/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '‹id›')
    .replace(/\d+(?:\.\d+)?/g, '#')
}

/** What groups messages "by error": the error's name and message shape, or the reason. */
export function errorKey(m: DeadLetterMessage): string {
  if (m.error?.name || m.error?.message) {
    return [m.error.name, m.error.message ? errorShape(m.error.message) : null]
      .filter(Boolean)
      .join(': ')
  }
  return m.reason ? `(no error: ${m.reason})` : '(no error recorded)'
}

export type TableRow =
  | { kind: 'group'; key: string; count: number; ids: string[]; expanded: boolean }
  | { kind: 'message'; message: DeadLetterMessage }

/**
 * Flat rows for the virtual list: messages, or group headers (largest group first), each
 * followed by its messages when the group is expanded.
 */
export function toRows(
  messages: readonly DeadLetterMessage[],
  grouped: boolean,
  expanded: ReadonlySet<string> = new Set(),
): TableRow[] {
  if (!grouped) return messages.map((message) => ({ kind: 'message', message }))
  const groups = new Map<string, DeadLetterMessage[]>()
  for (const m of messages) {
    const key = errorKey(m)
    const list = groups.get(key) ?? []
    list.push(m)
    groups.set(key, list)
  }
  return [...groups.entries()]
    .sort((a, b) => b[1].length - a[1].length)
    .flatMap(([key, list]): TableRow[] => [
      {
        kind: 'group',
        key,
        count: list.length,
        ids: list.map((m) => m.id),
        expanded: expanded.has(key),
      },
      ...(expanded.has(key) ? list.map((message): TableRow => ({ kind: 'message', message })) : []),
    ])
}

/** The drawer's previous and next: the messages beside the open one, in the table's order. */
export function neighbours(
  messages: readonly { id: string }[],
  openId: string | null,
  open: (id: string) => void,
): { onPrevious: (() => void) | undefined; onNext: (() => void) | undefined } {
  const at = openId === null ? -1 : messages.findIndex((m) => m.id === openId)
  const before = at > 0 ? messages[at - 1] : undefined
  const after = at >= 0 ? messages[at + 1] : undefined
  return {
    onPrevious: before ? () => open(before.id) : undefined,
    onNext: after ? () => open(after.id) : undefined,
  }
}
