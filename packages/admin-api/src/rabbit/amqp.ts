import { connect } from 'amqplib'
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib'
import { ApiError } from '../errors.js'
import { redact, vhostUrl } from './amqp-url.js'
import { captureRawProperties } from './message-headers.js'

export interface AmqpPoolOptions {
  /**
   * AMQP URLs of the cluster's nodes, credentials included; tried in order on each (re)connect.
   * @default ['amqp://guest:guest@127.0.0.1:5672']
   */
  urls: string[]
  /**
   * How long one connection attempt may take before the next URL is tried.
   * @default 5000
   */
  connectTimeoutMs: number
}

export function amqpPoolOptions(options: Partial<AmqpPoolOptions> = {}): AmqpPoolOptions {
  const urls = options.urls?.filter((url) => url.trim() !== '') ?? []
  return {
    urls: urls.length > 0 ? urls : ['amqp://guest:guest@127.0.0.1:5672'],
    connectTimeoutMs: options.connectTimeoutMs ?? 5000,
  }
}

/** What a queue looks like when the operation starts. */
export interface QueueState {
  messageCount: number
  consumerCount: number
}

/** Pauses before asking an apparently empty queue for its count again. */
const EMPTY_RECHECK_MS = [20, 50, 100]

/** AMQP channel-close codes that the broker uses for "no such queue" and "access refused". */
const NOT_FOUND = 404
const ACCESS_REFUSED = 403

/**
 * One lazily opened AMQP connection per vhost, and a fresh channel per operation. A connection
 * that closes is forgotten, so the next operation reconnects (to the next reachable node).
 */
export class AmqpPool {
  readonly #options: AmqpPoolOptions
  readonly #connections = new Map<string, Promise<ChannelModel>>()
  #closed = false

  constructor(options: Partial<AmqpPoolOptions> = {}) {
    this.#options = amqpPoolOptions(options)
  }

  /** Runs `fn` on a new channel of `vhost` and closes the channel afterwards, whatever happens. */
  async withChannel<T>(vhost: string, fn: (channel: Channel) => Promise<T>): Promise<T> {
    const model = await this.#connection(vhost)
    const channel = await this.#guard(() => model.createChannel())
    return this.#run(channel, fn)
  }

  /**
   * A channel of `vhost` that stays open until the caller closes it (or the connection drops: its
   * `close` event says so), for a consumer that lives longer than one operation.
   */
  async openChannel(vhost: string): Promise<Channel> {
    const model = await this.#connection(vhost)
    const channel = await this.#guard(() => model.createChannel())
    channel.on('error', () => {})
    return channel
  }

  /** Like {@link withChannel}, with publisher confirms on. */
  async withConfirmChannel<T>(
    vhost: string,
    fn: (channel: ConfirmChannel) => Promise<T>,
  ): Promise<T> {
    const model = await this.#connection(vhost)
    const channel = await this.#guard(() => model.createConfirmChannel())
    return this.#run(channel, fn)
  }

  /**
   * Passive declare on a throwaway channel: the broker closes a channel that asks for a missing
   * queue, and that must not take down a channel anybody else is using.
   */
  async checkQueue(
    vhost: string,
    queue: string,
    options: { countMatters?: boolean } = {},
  ): Promise<QueueState> {
    const rechecks = options.countMatters === false ? [] : EMPTY_RECHECK_MS
    try {
      return await this.withChannel(vhost, async (channel) => {
        let ok = await channel.checkQueue(queue)
        // A quorum queue whose leader is slow to answer reports 0 messages instead of failing
        // (RabbitMQ 3.x); ask again briefly before believing that a queue is empty.
        for (const wait of rechecks) {
          if (ok.messageCount > 0) break
          await new Promise((resolve) => setTimeout(resolve, wait))
          ok = await channel.checkQueue(queue)
        }
        return { messageCount: ok.messageCount, consumerCount: ok.consumerCount }
      })
    } catch (error) {
      if (amqpCode(error) === NOT_FOUND) {
        throw new ApiError(
          404,
          'queue-not-found',
          'Queue not found',
          `No queue '${queue}' in vhost '${vhost}'`,
        )
      }
      throw error
    }
  }

  /**
   * Waits (briefly, bounded) until `queue` holds at least `count` ready messages again. Closing
   * a channel returns its unacked messages asynchronously (a quorum queue applies the return
   * through its log), so without this wait an operator could see a lower count right after a
   * browse.
   */
  async settle(vhost: string, queue: string, count: number, timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    await this.withChannel(vhost, async (channel) => {
      while ((await channel.checkQueue(queue)).messageCount < count && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    })
  }

  /** The broker's version (`4.3.6`), as it announced itself when the connection opened. */
  async serverVersion(vhost: string): Promise<string> {
    const model = await this.#connection(vhost)
    const properties = (model.connection as { serverProperties?: Record<string, unknown> })
      .serverProperties
    const version = properties?.['version']
    return typeof version === 'string'
      ? version
      : Buffer.isBuffer(version)
        ? version.toString()
        : ''
  }

  /** Closes every connection; later calls fail. */
  async close(): Promise<void> {
    this.#closed = true
    const pending = [...this.#connections.values()]
    this.#connections.clear()
    await Promise.all(
      pending.map(async (promise) => {
        try {
          await (await promise).close()
        } catch {
          // Already closed or never opened: nothing left to release.
        }
      }),
    )
  }

  async #run<C extends Channel, T>(channel: C, fn: (channel: C) => Promise<T>): Promise<T> {
    // Without a listener, a channel error (e.g. 404 on a deleted queue) would be thrown as an
    // uncaught exception; the failing call rejects on its own, so the event carries nothing new.
    channel.on('error', () => {})
    try {
      return await this.#guard(() => fn(channel))
    } finally {
      await channel.close().catch(() => {})
    }
  }

  #connection(vhost: string): Promise<ChannelModel> {
    if (this.#closed) {
      return Promise.reject(new ApiError(503, 'amqp-closed', 'AMQP access is shut down'))
    }
    const cached = this.#connections.get(vhost)
    if (cached) return cached
    const opening = this.#open(vhost).then((model) => {
      const forget = () => {
        if (this.#connections.get(vhost) === opening) this.#connections.delete(vhost)
      }
      model.on('error', forget)
      model.on('close', forget)
      return model
    })
    this.#connections.set(vhost, opening)
    opening.catch(() => {
      if (this.#connections.get(vhost) === opening) this.#connections.delete(vhost)
    })
    return opening
  }

  async #open(vhost: string): Promise<ChannelModel> {
    let lastError: unknown
    for (const url of this.#options.urls) {
      try {
        const model = await connect(vhostUrl(url, vhost), {
          timeout: this.#options.connectTimeoutMs,
          clientProperties: { connection_name: 'warren-admin-api' },
        })
        // Every message read here keeps its header bytes, so a requeue, an archive copy or a
        // restore republishes each header with the type its producer gave it.
        captureRawProperties(model)
        return model
      } catch (error) {
        lastError = error
        if (isVhostMissing(error)) {
          throw new ApiError(
            404,
            'vhost-not-found',
            'Vhost not found',
            `No vhost '${vhost}' that this user may use`,
          )
        }
      }
    }
    throw this.#unavailable(lastError)
  }

  /** Turns driver errors into API errors whose text carries no credential. */
  async #guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (error) {
      if (error instanceof ApiError) throw error
      const code = amqpCode(error)
      if (code === ACCESS_REFUSED) {
        const text = redact(
          error instanceof Error ? error.message : String(error),
          this.#options.urls,
        )
        throw new ApiError(403, 'amqp-access-refused', 'RabbitMQ refused access', text)
      }
      // Channel-level refusals (no such queue, precondition failed, ...) are the caller's to judge.
      if (code !== undefined && code >= 400 && code < 500) throw error
      throw this.#unavailable(error)
    }
  }

  #unavailable(error: unknown): ApiError {
    const text = redact(error instanceof Error ? error.message : String(error), this.#options.urls)
    // The driver's words name hosts and ports inside the network: they stay in the cause (logged).
    const code = (error as NodeJS.ErrnoException | undefined)?.code
    const detail =
      typeof code === 'string' && /^E[A-Z]+$/.test(code)
        ? `No AMQP node answered (${code})`
        : 'No AMQP node answered'
    return new ApiError(502, 'amqp-unavailable', 'RabbitMQ is not reachable over AMQP', detail, {
      cause: new Error(text),
    })
  }
}

/** The AMQP reply code of a channel or connection error, if it is one. */
export function amqpCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error as { code: unknown }
    if (typeof code === 'number') return code
  }
  return undefined
}

/**
 * The broker refuses connection.open (not the login) when the vhost does not exist or the user
 * may not use it; amqplib reports that as an unexpected ConnectionClose without its text.
 */
function isVhostMissing(error: unknown): boolean {
  return (
    error instanceof Error &&
    (/NOT_ALLOWED.*vhost/i.test(error.message) ||
      /Expected ConnectionOpenOk; got <ConnectionClose/.test(error.message))
  )
}
