export { createAlertMonitor } from './monitor.js'
export type { AlertMonitor, AlertMonitorOptions } from './monitor.js'
export type { Alert, AlertRule, AlertThresholds } from './types.js'
