import { WarrenError } from '../errors.js'
import { redact } from './url.js'

// Node's codes for a TLS handshake that cannot succeed however often it is tried.
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * The failed connection attempt as an error of its own when trying again cannot help: the broker
 * refused the login (`ACCESS_REFUSED`) or the vhost (`NOT_ALLOWED`), the TLS handshake failed
 * (`TLS_FAILED`), or the host name does not resolve (`HOST_NOT_FOUND`). Undefined for what may
 * heal (a refused or reset TCP connection, a timeout): those are retried until `connectTimeout`.
 */
export function refusal(error: unknown, url: string): WarrenError | undefined {
  if (!(error instanceof Error)) return undefined
  const code = (error as NodeJS.ErrnoException).code ?? ''
  const where = redact(url)
  const { username, pathname } = safeUrl(url)
  if (/ACCESS[-_]REFUSED/.test(error.message)) {
    const words = /ACCESS_REFUSED - ([^"]*)/.exec(error.message)?.[1] ?? error.message
    return new WarrenError(
      'ACCESS_REFUSED',
      `the broker at ${where} refused the login of user '${username}' (wrong user name or password): ${words}`,
      { cause: error },
    )
  }
  // A vhost that does not exist, or that the user may not open: the broker answers the open with
  // connection.close (530 NOT_ALLOWED), which amqplib reports without the broker's words.
  if (/NOT[-_]ALLOWED/.test(error.message) || /got <ConnectionClose/.test(error.message)) {
    const vhost = decodeURIComponent(pathname.slice(1)) || '/'
    return new WarrenError(
      'NOT_ALLOWED',
      `the broker at ${where} refused vhost '${vhost}': it does not exist, or user '${username}' has no permission on it`,
      { cause: error },
    )
  }
  if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || TLS_CODES.has(code)) {
    return new WarrenError(
      'TLS_FAILED',
      `TLS with ${where} failed (${code}): ${error.message.trim()}`,
      {
        cause: error,
      },
    )
  }
  if (code === 'ENOTFOUND') {
    return new WarrenError(
      'HOST_NOT_FOUND',
      `the host of ${where} does not resolve: ${error.message}`,
      {
        cause: error,
      },
    )
  }
  return undefined
}

function safeUrl(url: string): { username: string; pathname: string } {
  try {
    const parsed = new URL(url)
    return { username: decodeURIComponent(parsed.username) || 'guest', pathname: parsed.pathname }
  } catch {
    return { username: '?', pathname: '' }
  }
}
