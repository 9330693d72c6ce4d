// Plain JavaScript, typed by redact-url.d.ts: the start scripts run under bare node and print
// URLs through this same helper as the admin API's logger, errors and health.

const CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]*@/gi

export function redactUrls(text) {
  return text.replace(CREDENTIALS, '$1***@')
}

export function redactUrl(url) {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString().replace(/\/$/, '')
  } catch {
    return redactUrls(url)
  }
}
