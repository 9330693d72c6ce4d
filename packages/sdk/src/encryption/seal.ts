import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { ENCRYPTED_CONTENT_TYPE } from '../protocol/index.js'
import type { Keyring } from './keyring.js'

export const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16

export interface Sealed {
  content: Buffer
  contentType: string
  headers: Record<string, string>
}

/**
 * Encrypts a body with the current key: `iv (12 bytes) | ciphertext | tag (16 bytes)`. The key
 * id is authenticated too (AAD), so relabelling a message with another key id fails to open.
 */
export function seal(keyring: Keyring, content: Buffer, contentType: string): Sealed {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv(ALGORITHM, keyring.current, iv)
  cipher.setAAD(Buffer.from(keyring.currentId))
  const body = Buffer.concat([iv, cipher.update(content), cipher.final(), cipher.getAuthTag()])
  return {
    content: body,
    contentType:
      contentType === 'application/json'
        ? `${ENCRYPTED_CONTENT_TYPE}+json`
        : ENCRYPTED_CONTENT_TYPE,
    headers: {
      [HEADERS.encryption]: ALGORITHM,
      [HEADERS.encryptionKeyId]: keyring.currentId,
      [HEADERS.encryptedContentType]: contentType,
    },
  }
}

/** Whether a message carries the marks `seal` gives (the admin API reads them with the same function). */
export { isEncrypted as isSealed } from '../protocol/index.js'

export type Opened =
  { ok: true; content: Buffer; contentType: string | undefined } | { ok: false; error: WarrenError }

/** Decrypts with whichever key the message names; says clearly why when it cannot. */
export function open(
  keyring: Keyring | undefined,
  content: Buffer,
  headers: Record<string, unknown>,
): Opened {
  const keyId = text(headers[HEADERS.encryptionKeyId])
  const algorithm = text(headers[HEADERS.encryption]) ?? ALGORITHM
  if (algorithm !== ALGORITHM) return failed(`message is encrypted with unknown '${algorithm}'`)
  if (keyId === undefined) return failed(`encrypted message has no ${HEADERS.encryptionKeyId}`)
  if (!keyring) {
    return failed(
      `message is encrypted with key id '${keyId}' but this broker has no encryption keys (connect({ encryption }))`,
    )
  }
  const key = keyring.keys.get(keyId)
  if (!key) {
    return failed(
      `message is encrypted with key id '${keyId}', which this service does not hold (it holds: ${[...keyring.keys.keys()].join(', ')})`,
    )
  }
  if (content.length < IV_BYTES + TAG_BYTES) return failed('encrypted body is too short')
  try {
    const decipher = createDecipheriv(ALGORITHM, key, content.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(keyId))
    decipher.setAuthTag(content.subarray(content.length - TAG_BYTES))
    const plain = Buffer.concat([
      decipher.update(content.subarray(IV_BYTES, content.length - TAG_BYTES)),
      decipher.final(),
    ])
    return { ok: true, content: plain, contentType: text(headers[HEADERS.encryptedContentType]) }
  } catch (error) {
    return failed(
      `cannot decrypt message with key id '${keyId}': authentication failed (wrong key or altered message)`,
      error,
    )
  }
}

function failed(message: string, cause?: unknown): Opened {
  return { ok: false, error: new WarrenError('DECRYPTION_FAILED', message, { cause }) }
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString()
  return undefined
}
