import { Link } from '@tanstack/react-router'

// Replaced by the real overview once the admin API serves /api/overview.
export function OverviewScreen() {
  return (
    <section>
      <h1>Overview</h1>
      <p className="muted">
        Broker totals and rates arrive with the admin API&apos;s overview route. Meanwhile, see{' '}
        <Link to="/queues">the queues</Link>.
      </p>
    </section>
  )
}
