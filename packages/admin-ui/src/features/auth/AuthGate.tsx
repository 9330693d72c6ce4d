import type { ReactNode } from 'react'
import { ErrorNotice, Loading } from '../../components/Notice.js'
import { useSession } from './api/get-session.js'
import { LoginScreen } from './LoginScreen.js'
import { RoleContext } from './role.js'

/** Shows the login screen until there is a session, then the console with the session's role. */
export function AuthGate({
  children,
  hashLoginError,
}: {
  children: ReactNode
  /** Why the login link's token was refused, if it was. */
  hashLoginError: unknown
}) {
  const session = useSession()
  if (session.isPending) return <Loading label="Connecting to the admin API…" />
  if (session.isError) {
    return (
      <main className="login">
        <div className="card login-card">
          <ErrorNotice error={session.error} title="Cannot reach the admin API" />
          <button type="button" className="button" onClick={() => void session.refetch()}>
            Try again
          </button>
        </div>
      </main>
    )
  }
  if (!session.data) return <LoginScreen initialError={hashLoginError} />
  return <RoleContext.Provider value={session.data.role}>{children}</RoleContext.Provider>
}
