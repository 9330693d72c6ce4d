import type { ExchangeType } from '../topology/types.js'

/** Whether a binding key matches a routing key, as RabbitMQ's exchange types decide. */
export function bindingMatches(
  type: ExchangeType,
  bindingKey: string,
  routingKey: string,
): boolean {
  if (type === 'fanout' || type === 'headers') return true
  if (type === 'direct') return bindingKey === routingKey
  return topicMatches(bindingKey.split('.'), 0, routingKey.split('.'), 0)
}

// `*` is exactly one word, `#` zero or more.
function topicMatches(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length
  const part = pattern[p]
  if (part === '#') {
    for (let skip = w; skip <= words.length; skip++) {
      if (topicMatches(pattern, p + 1, words, skip)) return true
    }
    return false
  }
  if (w === words.length) return false
  if (part !== '*' && part !== words[w]) return false
  return topicMatches(pattern, p + 1, words, w + 1)
}
