import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Actor } from '../context.js'

/** A fresh random token (192 bits, URL-safe). */
export function generateToken(): string {
  return randomBytes(24).toString('base64url')
}

const digest = (text: string) => createHash('sha256').update(text).digest()

/** Constant-time comparison; hashing first makes the lengths equal and hides the length. */
export function safeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

/** Maps the configured tokens to their actors. */
export interface TokenVerifier {
  verify(token: string): Actor | undefined
}

export interface TokenSettings {
  admin: string
  viewer: string | undefined
  /** What the audit calls the admin token's holder. @default 'admin-token' */
  adminName?: string
  /** What the audit calls the viewer token's holder. @default 'viewer-token' */
  viewerName?: string
}

export function createTokenVerifier(tokens: TokenSettings): TokenVerifier {
  const adminName = tokens.adminName ?? 'admin-token'
  const viewerName = tokens.viewerName ?? 'viewer-token'
  return {
    verify(token) {
      // Compare against both so the time taken doesn't reveal which one matched.
      const admin = safeEqual(token, tokens.admin)
      const viewer = tokens.viewer !== undefined && safeEqual(token, tokens.viewer)
      if (admin) return { name: adminName, role: 'operator' }
      if (viewer) return { name: viewerName, role: 'viewer' }
      return undefined
    },
  }
}
