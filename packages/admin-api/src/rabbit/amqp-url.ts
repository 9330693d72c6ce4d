/** The URL of one vhost on a node: the vhost is the URL's single path segment, percent-encoded. */
export function vhostUrl(baseUrl: string, vhost: string): string {
  const url = new URL(baseUrl)
  url.pathname = `/${encodeURIComponent(vhost)}`
  return url.toString()
}

/** The URL without user and password, fit for errors and logs. */
export function safeUrl(baseUrl: string): string {
  try {
    const url = new URL(baseUrl)
    url.username = ''
    url.password = ''
    return url.toString()
  } catch {
    return '<invalid AMQP URL>'
  }
}

/**
 * Removes every credential of `urls` from `text`. Driver messages rarely carry them, but a
 * credential in an error body or a log line is a leak we cannot take back, so we never rely on that.
 */
export function redact(text: string, urls: readonly string[]): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^@/\s]*@/gi, '$1')
  for (const raw of urls) {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      continue
    }
    for (const secret of [url.password, safeDecode(url.password)]) {
      if (secret.length >= 3) out = out.split(secret).join('***')
    }
  }
  return out
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
