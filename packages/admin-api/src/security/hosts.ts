import { isIP } from 'node:net'
import type { MiddlewareHandler } from 'hono'
import { ApiError } from '../errors.js'

/** The host name of a `Host` header: lower-cased, without its port or IPv6 brackets. */
function hostName(header: string): string {
  const host = header.trim().toLowerCase()
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'))
  return host.replace(/:\d*$/, '')
}

/**
 * DNS-rebinding defence: a hostile page that points its own name at this server sends that name
 * as `Host`. Answered are IP addresses (a rebinding always uses a name), `localhost`, the public
 * origin's host and the configured names (`*`: any); any other name gets 421.
 */
export function hostAllowlist(
  allowed: readonly string[],
  publicOrigin: string | undefined,
): MiddlewareHandler {
  const names = new Set(['localhost', ...allowed])
  if (publicOrigin) names.add(new URL(publicOrigin).hostname.toLowerCase())
  const any = names.has('*')
  return async (c, next) => {
    const header = c.req.header('host') ?? new URL(c.req.url).host
    const name = hostName(header)
    if (!any && isIP(name) === 0 && !names.has(name)) {
      throw new ApiError(
        421,
        'host-not-allowed',
        'Host not allowed',
        'This server does not answer to that name; set WARREN_ALLOWED_HOSTS or WARREN_PUBLIC_ORIGIN',
      )
    }
    return next()
  }
}
