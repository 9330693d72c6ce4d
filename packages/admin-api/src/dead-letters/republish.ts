import { BROKER_DELIVERY_HEADERS, copyProperties } from '@warren/sdk/protocol'
import type { MessageProperties, Options } from 'amqplib'
import type { FieldTable } from '../rabbit/field-table.js'
import { toPublishTable } from '../rabbit/field-values.js'
import { guessFieldValue, typedHeadersOf } from '../rabbit/message-headers.js'

/**
 * Publish options that reproduce a message's properties (all a copy keeps: `copyProperties`)
 * and headers.
 *
 * `headers` are the message's headers as amqplib decoded them, with the caller's changes. Each
 * value still amqplib's own is republished with the AMQP type it arrived with (read from the raw
 * bytes the admin API's connections keep); a value the caller changed or added is typed the way
 * amqplib guesses; a key the caller removed is left out; a key amqplib could not hold (`__proto__`)
 * is kept. The broker's delivery headers are never republished.
 */
export function republishOptions(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): Options.Publish {
  return {
    ...copyProperties(properties),
    headers: toPublishTable(republishedHeaders(properties, headers)),
  }
}

function republishedHeaders(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): FieldTable {
  const { headers: typed, decoded } = typedHeadersOf(properties)
  const kept = Object.create(null) as FieldTable
  for (const [key, field] of Object.entries(typed)) {
    // amqplib decoded it and the caller dropped it: removed on purpose. Not in amqplib's object
    // at all: amqplib could not hold it, so the caller never saw it to keep it.
    if (Object.hasOwn(decoded, key) && !Object.hasOwn(headers, key)) continue
    kept[key] = field
  }
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) delete kept[key]
    else if (!(key in kept) || !Object.is(value, decoded[key])) kept[key] = guessFieldValue(value)
  }
  for (const key of BROKER_DELIVERY_HEADERS) delete kept[key]
  return kept
}
