import { constants, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib'
import { isEncrypted as isSealed } from '@warren/sdk/protocol'
import type { MessageProperties } from 'amqplib'
import type { JsonValue, MessageView } from './schemas.js'

// Shows a message body as its publisher meant it: decompressed as its content-encoding says,
// decoded in the charset its content-type names, parsed when it is JSON. Every step is bounded
// (bytes shown, bytes inflated, JSON depth) because one hostile body must not stall or crash a
// page that lists it with hundreds of others; what cannot be shown faithfully is shown raw with a
// note saying why.

/** Bodies (and decompressed bodies) larger than this are shown truncated; the whole stays in the queue. */
export const MAX_PAYLOAD_VIEW = 64 * 1024
/**
 * JSON nested deeper than this is shown as text: serialising it again (the response, the
 * console) recurses once per level and overflows the stack at a few thousand.
 */
export const MAX_JSON_DEPTH = 100

type Payload = Pick<MessageView, 'payload' | 'payloadEncoding' | 'payloadTruncated' | 'rawPayload'>

/**
 * Whether the body is sealed: by the SDK (its content type or `warren-encryption` header), or by
 * another client that says so in its content type or content-encoding.
 */
export function isEncrypted(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): boolean {
  const type = typeof properties.contentType === 'string' ? properties.contentType : ''
  const encoding = typeof properties.contentEncoding === 'string' ? properties.contentEncoding : ''
  return (
    isSealed(properties.contentType, headers) ||
    /encrypted/i.test(type) ||
    /encrypt|jwe|aes/i.test(encoding)
  )
}

/** The body as the console shows it; `notes` gets a line for each thing not shown as it is. */
export function decodePayload(
  properties: MessageProperties,
  headers: Record<string, unknown>,
  content: Buffer,
  notes: string[],
): Payload {
  if (isEncrypted(properties, headers)) {
    return { payload: null, payloadEncoding: 'encrypted', payloadTruncated: false }
  }
  const decodedWith: string[] = []
  const decompressed = decompress(properties.contentEncoding, content, decodedWith, notes)
  if (decompressed === undefined) return asBase64(content, null)
  const truncated = decompressed.truncated || decompressed.bytes.length > MAX_PAYLOAD_VIEW
  const shown = decompressed.bytes.subarray(0, MAX_PAYLOAD_VIEW)
  const type = typeof properties.contentType === 'string' ? properties.contentType : ''
  const text = decodeText(shown, charsetOf(type), truncated, decodedWith, notes)
  // What was shown is not the bytes themselves: keep those one click away.
  const rawPayload =
    decodedWith.length === 0
      ? null
      : {
          base64: content.subarray(0, MAX_PAYLOAD_VIEW).toString('base64'),
          truncated: content.length > MAX_PAYLOAD_VIEW,
          decodedWith,
        }
  if (text === undefined) return asBase64(shown, rawPayload, truncated)
  const view = (payload: JsonValue, payloadEncoding: 'json' | 'text'): Payload => ({
    payload,
    payloadEncoding,
    payloadTruncated: truncated,
    ...(rawPayload ? { rawPayload } : {}),
  })
  if (truncated || !(/json/i.test(type) || /^\s*[[{"]/.test(text))) return view(text, 'text')
  const problem = jsonProblem(text)
  if (problem !== undefined) {
    notes.push(`body ${problem}: shown as text`)
    return view(text, 'text')
  }
  try {
    return view(JSON.parse(text) as JsonValue, 'json')
  } catch {
    return view(text, 'text') // not JSON after all
  }
}

function asBase64(bytes: Buffer, rawPayload: Payload['rawPayload'] | null, truncated?: boolean) {
  return {
    payload: bytes.subarray(0, MAX_PAYLOAD_VIEW).toString('base64'),
    payloadEncoding: 'base64' as const,
    payloadTruncated: truncated ?? bytes.length > MAX_PAYLOAD_VIEW,
    ...(rawPayload ? { rawPayload } : {}),
  }
}

/** Content-encodings that leave the bytes as they are; a charset here is a common mistake. */
const IDENTITY = /^(?:identity|7bit|8bit|binary|utf-?8)?$/i

/**
 * The body with every content-encoding undone (the last applied is undone first, as in HTTP);
 * `undefined` when one cannot be, so the body is shown as its bytes.
 */
function decompress(
  contentEncoding: unknown,
  content: Buffer,
  decodedWith: string[],
  notes: string[],
): { bytes: Buffer; truncated: boolean } | undefined {
  const codings = typeof contentEncoding === 'string' ? contentEncoding.split(',') : []
  let bytes = content
  let truncated = false
  for (const coding of codings.map((c) => c.trim().toLowerCase()).reverse()) {
    if (IDENTITY.test(coding)) continue
    const inflate = INFLATE[coding]
    if (inflate === undefined) {
      notes.push(`content-encoding '${coding}' is not one the console decodes: shown as base64`)
      return undefined
    }
    try {
      const out = bounded(inflate, bytes)
      bytes = out.bytes
      truncated ||= out.truncated
      decodedWith.push(coding)
    } catch (error) {
      notes.push(`${coding} body could not be decompressed (${reason(error)}): shown as base64`)
      return undefined
    }
  }
  return { bytes, truncated }
}

type Inflate = (input: Buffer, options: ZlibOptions) => Buffer

const INFLATE: Record<string, Inflate | undefined> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  // HTTP's deflate is zlib-wrapped, but some publishers send the raw stream.
  deflate: (input, options) => {
    try {
      return inflateSync(input, options)
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'Z_DATA_ERROR') throw error
      return inflateRawSync(input, options)
    }
  },
}

/**
 * At most MAX_PAYLOAD_VIEW bytes of output whatever the ratio, so a zip bomb costs no more than a
 * large body. zlib stops at `maxOutputLength` without giving what it had, so a larger body is cut
 * by inflating the longest input prefix whose output still fits (a binary search: about
 * log2(input) bounded runs).
 */
function bounded(inflate: Inflate, input: Buffer): { bytes: Buffer; truncated: boolean } {
  const limit = { maxOutputLength: MAX_PAYLOAD_VIEW }
  try {
    return { bytes: inflate(input, limit), truncated: false }
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ERR_BUFFER_TOO_LARGE') throw error
  }
  const partial = { ...limit, finishFlush: constants.Z_SYNC_FLUSH }
  let best: Buffer = Buffer.alloc(0)
  let low = 0
  let high = input.length - 1
  while (low <= high) {
    const middle = Math.floor((low + high) / 2)
    try {
      best = inflate(input.subarray(0, middle), partial)
      low = middle + 1
    } catch {
      high = middle - 1
    }
  }
  return { bytes: best, truncated: true }
}

/** The `charset` parameter of a content-type, lower case, if any. */
function charsetOf(contentType: string): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1]?.toLowerCase()
}

/** Text in the declared charset (UTF-8 when none is), or `undefined` for bytes that are not. */
function decodeText(
  bytes: Buffer,
  charset: string | undefined,
  truncated: boolean,
  decodedWith: string[],
  notes: string[],
): string | undefined {
  let label = charset === undefined || /^utf-?8$/.test(charset) ? 'utf-8' : charset
  // The bare label means "look at the byte-order mark"; TextDecoder assumes little-endian.
  if (label === 'utf-16' && bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be'
  let decoder: InstanceType<typeof TextDecoder>
  try {
    decoder = new TextDecoder(label, { fatal: true })
  } catch {
    notes.push(`charset '${charset}' is unknown: shown as UTF-8 if it is, else as base64`)
    label = 'utf-8'
    decoder = new TextDecoder(label, { fatal: true })
  }
  try {
    // A cut may split a multi-byte character: decode leniently at the end only.
    const text = decoder.decode(bytes, { stream: truncated })
    // ASCII reads the same in every charset but UTF-16: then the text is the bytes.
    const same = !decoder.encoding.startsWith('utf-16') && bytes.every((byte) => byte < 0x80)
    if (label !== 'utf-8' && !same) decodedWith.push(`charset ${decoder.encoding}`)
    return text
  } catch {
    if (label !== 'utf-8') notes.push(`body is not valid ${decoder.encoding}: shown as base64`)
    return undefined
  }
}

/**
 * Why JSON text cannot be shown parsed, if it cannot: nesting too deep to serialise again, or a
 * number JavaScript would change (a 64-bit id rounded, 1e400 turned into null). One linear scan,
 * no recursion.
 */
export function jsonProblem(text: string): string | undefined {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c)
        i += 1 // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1
      if (depth > MAX_JSON_DEPTH) return `nests deeper than ${MAX_JSON_DEPTH} levels`
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const literal = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400))?.[0] ?? ''
      if (literal !== '' && !exact(literal)) {
        return `holds the number ${literal.slice(0, 40)}, which JavaScript cannot keep exactly`
      }
      i += Math.max(literal.length - 1, 0)
    }
  }
  return undefined
}

/** Whether parsing the literal keeps its value: finite, and no digits beyond a double's 17. */
function exact(literal: string): boolean {
  const n = Number(literal)
  if (!Number.isFinite(n)) return false
  if (/^-?\d+$/.test(literal)) return Number.isSafeInteger(n) || BigInt(literal) === BigInt(n)
  const digits = literal
    .replace(/[eE].*$/, '')
    .replace(/[-.]/g, '')
    .replace(/^0+|0+$/g, '')
  return digits.length <= 17
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : 'unknown error'
}
