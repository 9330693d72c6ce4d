import { HEADERS } from './headers.js'

/** The content type of a body the SDK sealed; `+json` when the plaintext is JSON. */
export const ENCRYPTED_CONTENT_TYPE = 'application/vnd.warren.encrypted'

/**
 * Whether a message carries the marks the SDK's encryption gives it: the encrypted content type
 * or the `warren-encryption` header (which names the algorithm).
 */
export function isEncrypted(
  contentType: unknown,
  headers: Readonly<Record<string, unknown>>,
): boolean {
  return (
    headers[HEADERS.encryption] !== undefined ||
    (typeof contentType === 'string' && contentType.startsWith(ENCRYPTED_CONTENT_TYPE))
  )
}
