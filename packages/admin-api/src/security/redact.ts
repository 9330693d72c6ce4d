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
    return out
      .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s/]*@/gi, '$1***@')
      .replace(/(authorization["']?\s*[:=]\s*["']?)(basic|bearer)\s+[^\s"',}]+/gi, '$1$2 ***')
  }
}

/** The secret values of URLs, e.g. the password of `amqp://user:pass@host`. */
export function urlPasswords(urls: readonly string[]): string[] {
  return urls.flatMap((url) => {
    try {
      const password = decodeURIComponent(new URL(url).password)
      return password ? [password] : []
    } catch {
      return []
    }
  })
}
