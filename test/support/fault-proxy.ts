/**
 * A TCP proxy between a client and a broker that can misbehave on demand, for network faults
 * that a broker process cannot produce on its own:
 *
 * - `pass`: bytes flow both ways.
 * - `blackhole`: every current and new connection stays open but nothing is forwarded any more,
 *   not even a close, like a silent network: only heartbeats can tell. The connections it
 *   swallowed stay dead after `pass` is restored (new ones flow again).
 * - `reset`: every current connection is destroyed with a TCP RST on both sides, and new ones
 *   are reset as soon as they arrive, until the mode changes.
 *
 * @example
 * const proxy = await startFaultProxy({ port: node.port })
 * const broker = await connect({ url: proxy.url, heartbeat: '1s' })
 * proxy.setMode('blackhole')
 * // ... the SDK notices by heartbeat ...
 * proxy.setMode('pass')
 * await proxy.close()
 */
import net from 'node:net'

export type ProxyMode = 'pass' | 'blackhole' | 'reset'

export interface FaultProxyOptions {
  /** The broker's host. @default '127.0.0.1' */
  host?: string
  /** The broker's AMQP port. */
  port: number
  /** Port the proxy listens on. @default a free port */
  listenPort?: number
  /** Starting mode. @default 'pass' */
  mode?: ProxyMode
}

export interface FaultProxy {
  /** The port clients connect to. */
  readonly port: number
  /** `amqp://guest:guest@127.0.0.1:<port>`, plus `/<vhost>` when given. */
  url(vhost?: string): string
  readonly mode: ProxyMode
  setMode(mode: ProxyMode): void
  /** Connections currently open through the proxy (blackholed ones included). */
  readonly connections: number
  /** Bytes swallowed while blackholed. */
  readonly heldBytes: number
  /** Stops listening and destroys every connection. */
  close(): Promise<void>
}

/** One client connection and its upstream twin. */
interface Pair {
  client: net.Socket
  upstream: net.Socket | undefined
  blackholed: boolean
}

/** Starts a proxy to `host:port` and resolves once it listens. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const host = options.host ?? '127.0.0.1'
  const pairs = new Set<Pair>()
  let mode: ProxyMode = options.mode ?? 'pass'
  let heldBytes = 0

  const drop = (pair: Pair) => {
    pairs.delete(pair)
    pair.client.destroy()
    pair.upstream?.destroy()
  }
  const reset = (pair: Pair) => {
    pairs.delete(pair)
    pair.client.resetAndDestroy()
    if (pair.upstream && !pair.upstream.destroyed) pair.upstream.resetAndDestroy()
  }
  const swallow = (pair: Pair) => {
    pair.blackholed = true
  }

  // Errors end in 'close', where the pair is settled. A blackholed side's close is not
  // forwarded: the other end finds out by heartbeat, as over a silent network.
  const settle = (pair: Pair) => {
    if (pair.client.destroyed && (pair.upstream?.destroyed ?? true)) pairs.delete(pair)
  }

  // allowHalfOpen: a FIN from one side must not travel to the other while blackholed.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const pair: Pair = { client, upstream: undefined, blackholed: mode === 'blackhole' }
    pairs.add(pair)
    client.on('error', () => {})
    client.on('close', () => {
      if (!pair.blackholed) pair.upstream?.destroy()
      settle(pair)
    })
    client.on('data', (data: Buffer) => {
      if (pair.blackholed) heldBytes += data.length
      else pair.upstream?.write(data)
    })
    client.on('end', () => {
      if (!pair.blackholed) pair.upstream?.end()
    })
    if (mode === 'reset') {
      reset(pair)
      return
    }
    if (pair.blackholed) return
    const upstream = net.connect({ host, port: options.port, allowHalfOpen: true })
    pair.upstream = upstream
    upstream.on('error', () => {})
    upstream.on('close', () => {
      if (!pair.blackholed) client.destroy()
      settle(pair)
    })
    upstream.on('data', (data: Buffer) => {
      if (pair.blackholed) heldBytes += data.length
      else client.write(data)
    })
    upstream.on('end', () => {
      if (pair.blackholed) upstream.destroy()
      else client.end()
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.listenPort ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  if (!address || typeof address !== 'object') throw new Error('the proxy has no port')
  const port = address.port

  return {
    port,
    url: (vhost) =>
      `amqp://guest:guest@127.0.0.1:${port}${vhost === undefined ? '' : `/${encodeURIComponent(vhost)}`}`,
    get mode() {
      return mode
    },
    setMode(next) {
      mode = next
      if (next === 'blackhole') pairs.forEach(swallow)
      if (next === 'reset') [...pairs].forEach(reset)
    },
    get connections() {
      return pairs.size
    },
    get heldBytes() {
      return heldBytes
    },
    async close() {
      ;[...pairs].forEach(drop)
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
