import { randomFillSync } from 'node:crypto'

// One syscall fills randomness for ~400 ids: per-message crypto calls would show in throughput.
const pool = Buffer.allocUnsafe(4096)
let offset = pool.length
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A UUID v7 (RFC 9562): 48-bit millisecond timestamp then random bits, so ids sort by time. */
export function uuidv7(now = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool)
    offset = 0
  }
  const bytes = Buffer.allocUnsafe(16)
  bytes.writeUIntBE(now, 0, 6)
  pool.copy(bytes, 6, offset, offset + 10)
  offset += 10
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80
  let id = ''
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) id += '-'
    id += HEX[bytes[i] as number]
  }
  return id
}
