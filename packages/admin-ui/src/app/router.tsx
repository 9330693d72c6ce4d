import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router'
import { BASE_PATH } from '../lib/base-path.js'
import { ArchiveScreen } from '../features/archive/ArchiveScreen.js'
import { AuditScreen } from '../features/audit/AuditScreen.js'
import { DeadLetterQueueScreen } from '../features/dead-letters/DeadLetterQueueScreen.js'
import { DeadLettersScreen } from '../features/dead-letters/DeadLettersScreen.js'
import { parseDeadLetterQueueSearch } from '../features/dead-letters/dlq-search.js'
import { OverviewScreen } from '../features/overview/OverviewScreen.js'
import { parseOverviewSearch } from '../features/overview/overview-search.js'
import { QueueDetailScreen } from '../features/queues/QueueDetailScreen.js'
import { parseListSearch } from '../features/queues/list-search.js'
import { QueuesScreen } from '../features/queues/QueuesScreen.js'
import { NotFound, Shell } from './Shell.js'

const rootRoute = createRootRoute({ component: Shell, notFoundComponent: NotFound })

const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  // `?vhost=` narrows the incident board to one team's vhost.
  validateSearch: parseOverviewSearch,
  component: OverviewScreen,
})
const queuesRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/queues',
  // Filter, sort and page live in the URL, so a link opens the same view.
  validateSearch: parseListSearch,
  component: QueuesScreen,
})
export const queueDetailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/queues/$vhost/$name',
  component: QueueDetailScreen,
})
const deadLettersRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dead-letters',
  component: DeadLettersScreen,
})
export const deadLetterQueueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/dead-letters/$vhost/$queue',
  // `?group=` opens the queue on one failure group: the overview links there.
  validateSearch: parseDeadLetterQueueSearch,
  component: DeadLetterQueueScreen,
})
const archiveRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/archive',
  component: ArchiveScreen,
})
const auditRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/audit',
  component: AuditScreen,
})

const routeTree = rootRoute.addChildren([
  overviewRoute,
  queuesRoute,
  queueDetailRoute,
  deadLettersRoute,
  deadLetterQueueRoute,
  archiveRoute,
  auditRoute,
])

// The admin API answers every non-API GET with index.html, so plain paths survive a reload.
// Embedded under a host's prefix, every route lives below it.
export const router = createRouter({ routeTree, basepath: BASE_PATH.replace(/\/$/, '') || '/' })

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router
  }
}
