import { Link, Outlet } from '@tanstack/react-router'
import { useLogout } from '../features/auth/api/logout.js'
import { useRole } from '../features/auth/role.js'
import { PollIntervalSelect } from '../lib/poll-interval.js'
import { usePageTitle } from '../lib/page-title.js'
import { ThemeToggle } from '../lib/theme.js'

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/queues', label: 'Queues' },
  { to: '/dead-letters', label: 'Dead letters' },
  { to: '/archive', label: 'Archive' },
  { to: '/audit', label: 'Audit log' },
] as const

export function Shell() {
  const role = useRole()
  const logout = useLogout()
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Warren
        </div>
        <nav aria-label="Main">
          <ul className="nav">
            {NAV.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  activeOptions={{ exact: item.to === '/' }}
                  activeProps={{ className: 'active', 'aria-current': 'page' }}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">
          <PollIntervalSelect />
          <span className={`badge role-${role}`} data-testid="session-role" title="Your role">
            {role}
          </span>
          <ThemeToggle />
          <button
            type="button"
            className="button ghost"
            data-testid="logout"
            onClick={() => logout.mutate()}
          >
            Log out
          </button>
        </div>
      </header>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  )
}

export function NotFound() {
  usePageTitle('Not found')
  return (
    <section>
      <h1>Not found</h1>
      <p>
        Nothing lives at this address. <Link to="/">Back to the overview</Link>
      </p>
    </section>
  )
}
