import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router'
import { OverviewScreen } from '../features/overview/OverviewScreen.js'
import { QueueDetailScreen } from '../features/queues/QueueDetailScreen.js'
import { QueuesScreen } from '../features/queues/QueuesScreen.js'
import { NotFound, Shell } from './Shell.js'

const rootRoute = createRootRoute({ component: Shell, notFoundComponent: NotFound })

const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: OverviewScreen,
})
const queuesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/queues',
  component: QueuesScreen,
})
export const queueDetailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/queues/$vhost/$name',
  component: QueueDetailScreen,
})
// Screens whose API routes are still being built.
const Pending = () => <p className="muted">This screen arrives with its admin API route.</p>
const deadLettersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dead-letters',
  component: Pending,
})
const deadLetterQueueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dead-letters/$vhost/$queue',
  component: Pending,
})
const archiveRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/archive',
  component: Pending,
})
const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/audit',
  component: Pending,
})

const routeTree = rootRoute.addChildren([
  deadLettersRoute,
  deadLetterQueueRoute,
  archiveRoute,
  auditRoute,
  overviewRoute,
  queuesRoute,
  queueDetailRoute,
])

// The admin API answers every non-API GET with index.html, so plain paths survive a reload.
export const router = createRouter({ routeTree })

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router
  }
}
