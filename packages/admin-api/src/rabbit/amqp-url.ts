import { createRedactor, urlPasswords } from '../security/redact.js'

/** The URL of one vhost on a node: the vhost is the URL's single path segment, percent-encoded. */
export function vhostUrl(baseUrl: string, vhost: string): string {
  const url = new URL(baseUrl)
  url.pathname = `/${encodeURIComponent(vhost)}`
  return url.toString()
}

/**
 * Removes every credential of `urls` from `text`. Driver messages rarely carry them, but a
 * credential in an error body or a log line is a leak we cannot take back, so we never rely on that.
 */
export function redact(text: string, urls: readonly string[]): string {
  return createRedactor(urlPasswords(urls))(text)
}
