// The host service's own login, as the examples stand it in front of Warren: HTTP Basic with one
// staff account. A real service puts its SSO session or API gateway check here.
import { timingSafeEqual } from 'node:crypto'

const STAFF = `ops:${process.env.STAFF_PASSWORD ?? 'change-me'}`

/** Whether an `Authorization` header carries the staff account. */
export function isStaff(authorization: string | null | undefined): boolean {
  const match = /^Basic\s+(.+)$/i.exec(authorization ?? '')
  if (!match?.[1]) return false
  const given = Buffer.from(Buffer.from(match[1], 'base64').toString('utf8'))
  const expected = Buffer.from(STAFF)
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The header a staff member's browser sends, for the examples' tests. */
export const staffHeader = `Basic ${Buffer.from(STAFF).toString('base64')}`

/** Whether this file is the one Node was asked to run (`tsx embed-hono.ts`). */
export const isMain = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && new URL(moduleUrl).pathname === process.argv[1]
