import { createHash } from 'node:crypto'

/** What a failure group is made of; intake has these from the dead letter's headers. */
export interface FingerprintInput {
  errorName: string | null
  errorMessage: string | null
  /** The error's stack as the service recorded it, when it did. */
  stack?: string | null | undefined
  originalQueue: string | null
}

/**
 * The parts of a message that differ between occurrences of one failure, each replaced by a
 * placeholder. Order matters: a timestamp or a uuid is taken whole before its digits are.
 */
const VARIABLE_PARTS: readonly (readonly [RegExp, string])[] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/gi, '<time>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>'],
  // Quotes that open and close outside a word, so that "can't" and "user's" stay as they are.
  [/(?<!\w)"(?:[^"\\]|\\.)*"(?!\w)|(?<!\w)'(?:[^'\\]|\\.)*'(?!\w)|`[^`]*`/g, '<str>'],
  [/\b(?:0x)?[0-9a-f]{8,}\b/gi, '<hex>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
]

/**
 * An error message with its ids, numbers, quoted values, timestamps and e-mail addresses replaced
 * by placeholders and its whitespace collapsed: what stays the same from one occurrence to the next.
 *
 * @example
 * normaliseMessage('Order 4711 not found for "ann@example.com"') // 'Order <n> not found for <str>'
 */
export function normaliseMessage(message: string): string {
  let text = message
  for (const [pattern, placeholder] of VARIABLE_PARTS) text = text.replace(pattern, placeholder)
  return text.replace(/\s+/g, ' ').trim()
}

/**
 * The first frame of the service's own code: the first `at ...` line outside node_modules and
 * Node's internals, without its line and column (which move with every release).
 */
export function ownFrame(stack: string | null | undefined): string {
  if (!stack) return ''
  for (const line of stack.split('\n')) {
    const frame = line.trim()
    if (!frame.startsWith('at ')) continue
    if (/node_modules|\(node:|^at node:|\(internal\/|^at internal\//.test(frame)) continue
    return frame.replace(/:\d+(?::\d+)?(?=\)?$)/, '')
  }
  return ''
}

/**
 * The key of a failure group: a short stable hash of the error's name, its normalised message,
 * the service's own frame that threw and the queue the message was consumed from. Dead letters
 * of one failure share it whatever ids their messages carry.
 *
 * @example
 * fingerprint({ errorName: 'TypeError', errorMessage: 'x is undefined', originalQueue: 'orders' })
 */
export function fingerprint(input: FingerprintInput): string {
  const parts = [
    input.errorName ?? '',
    normaliseMessage(input.errorMessage ?? ''),
    ownFrame(input.stack),
    input.originalQueue ?? '',
  ]
  return createHash('sha1').update(parts.join('\n')).digest('hex').slice(0, 16)
}
