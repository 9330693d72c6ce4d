/**
 * The server prints a login link `http://host:port/#token=<token>`. Take the token out of the
 * hash once, at start, and clear it at once so it stays neither on screen nor in the history.
 */
export function takeTokenFromHash(): string | null {
  const match = /^#token=([^&]+)/.exec(window.location.hash)
  if (!match?.[1]) return null
  window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}`)
  try {
    return decodeURIComponent(match[1])
  } catch {
    return match[1]
  }
}
