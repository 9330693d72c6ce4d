// RabbitMQ users of a test's own, made and removed through the management API.
import { randomBytes } from 'node:crypto'
import { management } from '@warren/test-kit'

export interface TestUser {
  name: string
  password: string
  /** Deletes the user; the broker drops its permissions with it. */
  remove(): Promise<void>
}

/** Permissions of a user on one vhost, as regular expressions over resource names. */
export interface VhostPermissions {
  configure: string
  write: string
  read: string
}

/**
 * A user named `<prefix>-<hex>` with a random password, `tags` (e.g. `administrator`,
 * `monitoring`) and the given permissions per vhost.
 */
export async function createTestUser(
  prefix: string,
  tags: string,
  permissions: Record<string, VhostPermissions> = {},
): Promise<TestUser> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`
  const password = `pw-${randomBytes(12).toString('hex')}`
  const path = `/api/users/${encodeURIComponent(name)}`
  await management('PUT', path, { password, tags })
  const remove = async () => {
    await management('DELETE', path)
  }
  try {
    for (const [vhost, granted] of Object.entries(permissions)) {
      await management(
        'PUT',
        `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`,
        granted,
      )
    }
  } catch (error) {
    await remove()
    throw error
  }
  return { name, password, remove }
}

/** Every permission on a vhost. */
export const ALL: VhostPermissions = { configure: '.*', write: '.*', read: '.*' }
/** Reading only: no configure, no write. */
export const READ_ONLY: VhostPermissions = { configure: '', write: '', read: '.*' }
