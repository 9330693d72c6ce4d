// @warren/test-kit: what Warren's tests need of the broker they run on, read from the environment
// so the same tests run on any node (see README.md). Private to the workspace, never shipped.
export { BROKER, DEFAULTS, brokerFromEnv } from './brokers.js'
export type { TestBroker } from './brokers.js'
export { closeConnection, connections, rabbitmqctl } from './ctl.js'
export type { BrokerConnection } from './ctl.js'
export { brokerVersion, management } from './management.js'
export { createTestVhost } from './vhost.js'
export type { TestVhost } from './vhost.js'
export { ADMIN_TOKEN, freePort, killAdminApis, startAdminApi } from './admin-api.js'
export type { AdminApiOptions, AdminApiProcess } from './admin-api.js'
export { sleep, waitFor } from './wait.js'
