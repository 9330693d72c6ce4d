import { redactUrls } from './redact-url.js'

/**
 * Removes secrets from text before it is logged or sent: every known secret value, the password
 * part of any URL, and `Authorization` header values. Defence in depth: code should not put
 * secrets into messages in the first place.
 */
export function createRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets
    .filter((secret): secret is string => typeof secret === 'string' && secret.length >= 4)
    .sort((a, b) => b.length - a.length)
  return (text) => {
    let out = text
    for (const secret of known) out = out.split(secret).join('***')
    return redactUrls(out).replace(
      /(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[^\s"',}]+/gi,
      '$1$2 ***',
    )
  }
}

/** The secret values of URLs, as written and decoded, e.g. `p%40ss` and `p@ss`. */
export function urlPasswords(urls: readonly string[]): string[] {
  return urls.flatMap((url) => {
    try {
      const raw = new URL(url).password
      if (!raw) return []
      const decoded = decodeURIComponent(raw)
      return decoded === raw ? [raw] : [raw, decoded]
    } catch {
      return []
    }
  })
}
