import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/** `::ffff:10.0.0.1` and `10.0.0.1` are one address. */
const plain = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.)/i, '')

/**
 * The client's address, the key of the login and token rate limits: the socket's, unless the
 * socket is one of the configured trusted proxies; then the right-most `X-Forwarded-For` entry
 * that is not a trusted proxy (the left ones are whatever the client chose to send).
 */
export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  let socket: string
  try {
    socket = plain(getConnInfo(c).remote.address ?? 'unknown')
  } catch {
    return 'unknown'
  }
  const trusted = new Set(trustedProxies.map(plain))
  if (!trusted.has(socket)) return socket
  const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map(plain).filter(Boolean)
  for (let i = forwarded.length - 1; i >= 0; i--) {
    const hop = forwarded[i] as string
    if (!trusted.has(hop)) return hop
  }
  return socket
}
