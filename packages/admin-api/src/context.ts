/** Who is calling, as established by the auth middleware. */
export type Role = 'operator' | 'viewer'

export interface Actor {
  /** A stable, non-secret name for the token or session (never the token itself). */
  name: string
  role: Role
  /**
   * A person's role in each vhost they have permissions on (a RabbitMQ user's login); every
   * other vhost is as unknown to them as one that doesn't exist. Unset for tokens: every vhost
   * the API watches, in `role`.
   */
  vhosts?: Readonly<Record<string, Role>>
  /** The client's address of this request, as the audit records it; never kept in a session. */
  from?: string
}

/** Hono environment shared by every route of the admin API. */
export interface AppEnv {
  Variables: {
    actor: Actor
  }
}
