import { HEADERS } from '@warren/sdk/protocol'
import { formatBytes } from '../../lib/format.js'
import type { DeadLetterMessage } from './types.js'

// What the drawer's payload panel shows, as plain data so it can be specified without a DOM.

export interface PayloadDisplay {
  /** The text of the panel. */
  text: string
  /** What the text is: `json, 1.2 KiB`, `raw bytes (base64), first 64 KiB of 1.2 MiB`. */
  summary: string
  /** How the payload was had from the bytes (`gzip, then charset windows-1252`); null if as is. */
  decodedWith: string | null
}

/** The payload as the API decoded it, or with `raw` the bytes as they arrived when it decoded them. */
export function payloadDisplay(message: DeadLetterMessage, raw: boolean): PayloadDisplay {
  const size = formatBytes(message.payloadBytes)
  const original = message.rawPayload
  const decodedWith = original ? original.decodedWith.join(', then ') : null
  if (raw && original) {
    const part = original.truncated ? `first 64 KiB of ${size}` : size
    return { text: original.base64, summary: `raw bytes (base64), ${part}`, decodedWith }
  }
  const summary = [message.payloadEncoding, size, message.payloadTruncated ? 'truncated' : null]
    .filter(Boolean)
    .join(', ')
  return { text: payloadText(message), summary, decodedWith }
}

/**
 * Text is shown exactly as sent, never parsed again here: the API leaves JSON as text when parsing
 * would change it (a 64-bit id rounded) or when it nests too deep to print.
 */
function payloadText(message: DeadLetterMessage): string {
  if (message.payloadEncoding === 'encrypted') return sealedText(message)
  if (typeof message.payload === 'string') return message.payload
  return JSON.stringify(message.payload, null, 2) ?? String(message.payload)
}

/** What sealed the body, as the SDK's encryption headers name it: algorithm and key id. */
function sealedText(message: DeadLetterMessage): string {
  const header = (name: string) => {
    const value = message.headers[name]
    return typeof value === 'string' && value !== '' ? value : null
  }
  const algorithm = header(HEADERS.encryption)
  const keyId = header(HEADERS.encryptionKeyId)
  const by = [algorithm, keyId === null ? null : `key ${keyId}`].filter(Boolean).join(', ')
  return by === '' ? '(encrypted: not shown)' : `(encrypted with ${by}: not shown)`
}
