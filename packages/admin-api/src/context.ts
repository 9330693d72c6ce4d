/** Who is calling, as established by the auth middleware. */
export type Role = 'operator' | 'viewer'

export interface Actor {
  /** A stable, non-secret name for the token or session (never the token itself). */
  name: string
  role: Role
}

/** Hono environment shared by every route of the admin API. */
export interface AppEnv {
  Variables: {
    actor: Actor
  }
}
