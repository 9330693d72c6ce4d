/** Who is calling, as established by the auth middleware. */
export type Role = 'operator' | 'viewer'

export interface Actor {
  /** A stable, non-secret name for the token or session (never the token itself). */
  name: string
  role: Role
  /** The client's address of this request, as the audit records it; never kept in a session. */
  from?: string
}

/** Hono environment shared by every route of the admin API. */
export interface AppEnv {
  Variables: {
    actor: Actor
  }
}
