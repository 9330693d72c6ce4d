import { WarrenError } from '../errors.js'

/** Opt-in payload encryption (AES-256-GCM). Several keys may be held so they can be rotated. */
export interface EncryptionOptions {
  /**
   * Every key this service may need to decrypt, by key id: 32 bytes each (a Buffer, or a
   * base64 string of 32 bytes). Keep retired keys here until no message sealed with them is
   * left in any queue, retry tier or dead-letter queue.
   * @default none (required)
   */
  keys: Readonly<Record<string, Buffer | string>>
  /** The key id new messages are sealed with. @default the only key, when there is one */
  current?: string
}

/** Keys resolved and checked once, at connect. */
export interface Keyring {
  currentId: string
  current: Buffer
  keys: ReadonlyMap<string, Buffer>
}

const KEY_BYTES = 32

/** Checks every key is 32 bytes and `current` names one of them. */
export function resolveKeyring(options: EncryptionOptions): Keyring {
  const keys = new Map<string, Buffer>()
  for (const [id, raw] of Object.entries(options.keys)) {
    const key = typeof raw === 'string' ? Buffer.from(raw, 'base64') : raw
    if (key.length !== KEY_BYTES) {
      throw new WarrenError(
        'INVALID_OPTIONS',
        `encryption key '${id}' is ${key.length} bytes; AES-256-GCM needs ${KEY_BYTES}`,
      )
    }
    keys.set(id, key)
  }
  const ids = [...keys.keys()]
  const currentId = options.current ?? (ids.length === 1 ? ids[0] : undefined)
  if (currentId === undefined) {
    throw new WarrenError(
      'INVALID_OPTIONS',
      `encryption.current must name the key to seal with (one of: ${ids.join(', ') || 'none given'})`,
    )
  }
  const current = keys.get(currentId)
  if (!current) {
    throw new WarrenError(
      'INVALID_OPTIONS',
      `encryption.current is '${currentId}', which is not among the keys (${ids.join(', ')})`,
    )
  }
  return { currentId, current, keys }
}
