import { EventEmitter } from 'node:events'
import amqp, { type ChannelModel } from 'amqplib'
import { ClosedError, WarrenError } from '../errors.js'
import { errorFields } from '../logging/logger.js'
import type { ResolvedConnectOptions } from '../options.js'
import { backoffDelay } from './backoff.js'
import { refusal } from './refusal.js'
import { redact, withHeartbeat } from './url.js'

/** One live connection, with a generation number that tells stale channels from current ones. */
export interface Link {
  model: ChannelModel
  generation: number
  url: string
  serverVersion: string
  /** Set once this connection closed, for whoever still holds it (a channel about to reopen). */
  closed: boolean
}

export interface ConnectionEvents {
  connected: [{ url: string; serverVersion: string; reconnected: boolean }]
  disconnected: [{ error: Error | undefined }]
  blocked: [{ reason: string }]
  unblocked: []
}

/**
 * Keeps one AMQP connection up: round-robin over the cluster's URLs, exponential backoff with
 * jitter, and `setup` (declare topology, open channels) run on every new connection before it is
 * announced.
 */
export class ConnectionManager extends EventEmitter<ConnectionEvents> {
  #link: Link | undefined
  #generation = 0
  #urlIndex = 0
  #closed = false
  #everConnected = false
  #reconnectTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly options: ResolvedConnectOptions,
    private readonly setup: (link: Link, reconnected: boolean) => Promise<void>,
  ) {
    super()
  }

  get link(): Link | undefined {
    return this.#link
  }

  /**
   * First connection: retries until `connectTimeout` while no broker answers; a refusal that
   * waiting cannot heal (login, vhost, TLS, no host resolves: `refusal()`) or a setup error (e.g.
   * TopologyError) rejects at once.
   */
  async start(): Promise<void> {
    const deadline = Date.now() + this.options.connectTimeoutMs
    let lastError: unknown
    const unresolved = new Set<string>()
    for (let attempt = 1; !this.#closed; attempt++) {
      let link: Link | undefined
      const url = this.#nextUrl()
      try {
        link = await this.#open(url)
      } catch (error) {
        lastError = error
        // What waiting cannot heal fails now, with the broker's words; a name that does not
        // resolve only once no node of the list resolves.
        const refused = refusal(error, url)
        if (refused && refused.code !== 'HOST_NOT_FOUND') throw refused
        if (refused) unresolved.add(url)
        if (refused && unresolved.size === new Set(this.options.urls).size) {
          if (unresolved.size === 1) throw refused
          const hosts = [...unresolved].map(redact).join(', ')
          throw new WarrenError('HOST_NOT_FOUND', `no host of ${hosts} resolves`, { cause: error })
        }
        const delay = backoffDelay(attempt, this.options.reconnect)
        if (Date.now() + delay > deadline) break
        await sleep(delay)
        continue
      }
      try {
        await this.setup(link, false)
      } catch (error) {
        this.#link = undefined
        await link.model.close().catch(() => {})
        // A refused topology will be refused again: fail now. A connection lost while setting
        // up is like a failed attempt.
        if (error instanceof WarrenError) throw error
        lastError = error
        const delay = backoffDelay(attempt, this.options.reconnect)
        if (Date.now() + delay > deadline) break
        await sleep(delay)
        continue
      }
      this.#everConnected = true
      this.emit('connected', {
        url: redact(link.url),
        serverVersion: link.serverVersion,
        reconnected: false,
      })
      return
    }
    if (this.#closed) throw new ClosedError()
    const last = lastError instanceof Error ? ` (last: ${lastError.message})` : ''
    throw new WarrenError(
      'CONNECTION_FAILED',
      `no broker answered at ${this.options.urls.map(redact).join(', ')}${last}`,
      { cause: lastError },
    )
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    const link = this.#link
    this.#link = undefined
    if (link) await link.model.close().catch(() => {})
  }

  #nextUrl(): string {
    const url = this.options.urls[this.#urlIndex % this.options.urls.length] as string
    this.#urlIndex++
    return url
  }

  async #open(url = this.#nextUrl()): Promise<Link> {
    const model = await amqp.connect(withHeartbeat(url, this.options.heartbeatSeconds), {
      timeout: this.options.connectAttemptTimeoutMs,
      clientProperties: { connection_name: this.options.consumerId },
    })
    const generation = ++this.#generation
    const link: Link = {
      model,
      generation,
      url,
      serverVersion: model.connection.serverProperties.version,
      closed: false,
    }
    // Without a listener an 'error' event would throw; 'close' carries the same error.
    model.on('error', () => {})
    model.on('close', (error?: Error) => {
      link.closed = true
      this.#onClose(link, error)
    })
    model.on('blocked', (reason: string) => this.emit('blocked', { reason }))
    model.on('unblocked', () => this.emit('unblocked'))
    this.#link = link
    return link
  }

  #onClose(link: Link, error: Error | undefined): void {
    if (this.#link !== link) return
    this.#link = undefined
    if (this.#closed) return
    this.options.logger.warn(
      { event: 'disconnected', url: redact(link.url), ...(error && { error: errorFields(error) }) },
      'connection lost',
    )
    this.emit('disconnected', { error })
    if (this.#everConnected) this.#scheduleReconnect(1)
  }

  #scheduleReconnect(attempt: number): void {
    if (this.#closed) return
    const delay = backoffDelay(attempt, this.options.reconnect)
    this.#reconnectTimer = setTimeout(() => void this.#reconnect(attempt), delay)
  }

  async #reconnect(attempt: number): Promise<void> {
    if (this.#closed) return
    let link: Link
    try {
      link = await this.#open()
    } catch (error) {
      this.options.logger.debug({ event: 'reconnect-failed', attempt, error: errorFields(error) })
      this.#scheduleReconnect(attempt + 1)
      return
    }
    if (this.#closed) {
      await link.model.close().catch(() => {})
      return
    }
    try {
      await this.setup(link, true)
    } catch (error) {
      // Setup failed on a connection that is still up (not a topology mismatch: setup reports
      // those itself): drop it and back off rather than spin.
      this.options.logger.error({ event: 'setup-failed', attempt, error: errorFields(error) })
      if (this.#link === link) {
        this.#link = undefined
        await link.model.close().catch(() => {})
        this.#scheduleReconnect(attempt + 1)
      }
      return
    }
    if (this.#link !== link) return
    this.options.logger.info(
      { event: 'reconnected', url: redact(link.url), attempt, serverVersion: link.serverVersion },
      'reconnected',
    )
    this.emit('connected', {
      url: redact(link.url),
      serverVersion: link.serverVersion,
      reconnected: true,
    })
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
