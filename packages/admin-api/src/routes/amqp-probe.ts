import net from 'node:net'
import tls from 'node:tls'

const PROTOCOL_HEADER = Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])

/**
 * True when a node answers the AMQP 0-9-1 protocol header with a frame: a cheaper health check
 * than opening (and logging in to) a connection every time the console polls.
 */
export function probeAmqpUrl(url: string, timeoutMs = 1500): Promise<boolean> {
  let host: string
  let port: number
  let secure: boolean
  try {
    const parsed = new URL(url)
    secure = parsed.protocol === 'amqps:'
    host = parsed.hostname.replace(/^\[|\]$/g, '')
    port = Number(parsed.port || (secure ? 5671 : 5672))
  } catch {
    return Promise.resolve(false)
  }
  return new Promise((resolve) => {
    const socket = secure
      ? tls.connect({ host, port, servername: host })
      : net.connect({ host, port })
    const done = (ok: boolean) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(ok)
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(PROTOCOL_HEADER))
    socket.once('data', (data: Buffer) => done(data[0] === 1))
    socket.once('error', () => done(false))
    socket.once('close', () => done(false))
  })
}

/** True when any of the cluster's nodes answers. */
export async function probeAmqpUrls(urls: readonly string[]): Promise<boolean> {
  const results = await Promise.all(urls.map((url) => probeAmqpUrl(url)))
  return results.some(Boolean)
}
