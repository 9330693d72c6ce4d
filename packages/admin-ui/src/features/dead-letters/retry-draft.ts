import { BROKER_HEADERS } from '@warren/sdk/protocol'
import type { JsonValue } from '@warren/admin-api'
import type { DeadLetterMessage } from './types.js'

// What the edit-and-retry form starts from and what it sends, as plain data.

export interface RetryDraft {
  payload: string
  /** The headers as JSON text, x-death left out (the broker writes it, the operator cannot). */
  headers: string
  /** Empty: the message's original queue. */
  target: string
}

/** The message's body as editable text: JSON pretty-printed, text as it is. */
export function editablePayload(message: DeadLetterMessage): string {
  if (typeof message.payload === 'string') {
    if (message.payloadEncoding !== 'json') return message.payload
    try {
      return JSON.stringify(JSON.parse(message.payload), null, 2)
    } catch {
      return message.payload
    }
  }
  return JSON.stringify(message.payload, null, 2) ?? ''
}

export function retryDraft(message: DeadLetterMessage): RetryDraft {
  const headers = Object.fromEntries(
    Object.entries(message.headers).filter(([key]) => key !== BROKER_HEADERS.death),
  )
  return {
    payload: editablePayload(message),
    headers: JSON.stringify(headers, null, 2),
    target: '',
  }
}

export type HeaderChanges =
  { ok: true; changes: Record<string, JsonValue> | undefined } | { ok: false; reason: string }

const isObject = (value: unknown): value is Record<string, JsonValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * What the API is sent for the edited headers: each changed or added one, and null for each one
 * removed; undefined when nothing changed.
 */
export function headerChanges(message: DeadLetterMessage, edited: string): HeaderChanges {
  let parsed: unknown
  try {
    parsed = JSON.parse(edited.trim() === '' ? '{}' : edited)
  } catch (error) {
    return { ok: false, reason: `Headers are not valid JSON: ${(error as Error).message}` }
  }
  if (!isObject(parsed)) return { ok: false, reason: 'Headers must be a JSON object' }
  const before = retryDraft(message).headers
  const original = JSON.parse(before) as Record<string, JsonValue>
  const changes: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(parsed)) {
    if (JSON.stringify(original[key]) !== JSON.stringify(value)) changes[key] = value
  }
  for (const key of Object.keys(original)) if (!(key in parsed)) changes[key] = null
  return { ok: true, changes: Object.keys(changes).length ? changes : undefined }
}
