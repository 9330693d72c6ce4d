import { useEffect, useState } from 'react'
import { ApiProblemError, describeError } from '../../lib/errors.js'
import { useLogin } from './api/login.js'
import { takeTokenFromHash } from './token-from-hash.js'
import { usePageTitle } from '../../lib/page-title.js'

function loginError(error: unknown): string {
  if (error instanceof ApiProblemError && error.status === 401)
    return error.code === 'invalid-credentials'
      ? 'That user name or password was refused.'
      : 'That token was refused.'
  if (error instanceof ApiProblemError && error.status === 403)
    return 'This user has no permissions on a vhost this console watches.'
  if (error instanceof ApiProblemError && error.status === 429)
    return 'Too many attempts: wait a minute and try again.'
  return describeError(error)
}

export function LoginScreen({ initialError }: { initialError: unknown }) {
  const [token, setToken] = useState('')
  const [asUser, setAsUser] = useState(false)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const login = useLogin()
  usePageTitle('Log in')
  const { mutate } = login

  // The login link opened in a tab that already shows this screen changes only the hash.
  useEffect(() => {
    const onHashChange = () => {
      const fromHash = takeTokenFromHash()
      if (fromHash) mutate(fromHash)
    }
    window.addEventListener('hashchange', onHashChange)
    return () => window.removeEventListener('hashchange', onHashChange)
  }, [mutate])
  const error: unknown = login.isError ? login.error : login.isIdle ? initialError : null

  return (
    <main className="login" data-testid="login-screen">
      <form
        className="card login-card"
        aria-labelledby="login-title"
        onSubmit={(event) => {
          event.preventDefault()
          if (asUser) {
            if (username.trim() && password) login.mutate({ username: username.trim(), password })
          } else if (token.trim()) login.mutate(token.trim())
        }}
      >
        <h1 id="login-title">
          <span className="brand-mark" aria-hidden="true" /> Warren console
        </h1>
        {asUser ? (
          <>
            <p className="muted">Sign in with your RabbitMQ user name and password.</p>
            <label className="field">
              <span>User name</span>
              <input
                name="username"
                autoComplete="username"
                data-testid="login-username"
                value={username}
                onChange={(event) => setUsername(event.target.value)}
                autoFocus
                required
              />
            </label>
            <label className="field">
              <span>Password</span>
              <input
                type="password"
                name="password"
                autoComplete="current-password"
                data-testid="login-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                required
              />
            </label>
          </>
        ) : (
          <>
            <p className="muted">
              Paste the admin token, or open the login link that <code>pnpm start</code> printed.
            </p>
            <label className="field">
              <span>Token</span>
              <input
                type="password"
                name="token"
                autoComplete="current-password"
                aria-label="Token"
                data-testid="login-token"
                value={token}
                onChange={(event) => setToken(event.target.value)}
                autoFocus
                required
              />
            </label>
          </>
        )}
        {error ? (
          <p role="alert" className="notice error" data-testid="login-error">
            {loginError(error)}
          </p>
        ) : null}
        <button
          type="submit"
          className="button primary"
          disabled={login.isPending}
          data-testid="login-submit"
        >
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <button
          type="button"
          className="button"
          data-testid="login-switch"
          onClick={() => setAsUser((user) => !user)}
        >
          {asUser ? 'Use a token instead' : 'Use a RabbitMQ user instead'}
        </button>
      </form>
    </main>
  )
}
