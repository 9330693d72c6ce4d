// Warren's wire vocabulary: the header names, dead-letter reasons and property copying that the
// SDK writes with and the admin API and console read with. Imports nothing outside this folder,
// so it is safe in a browser bundle and costs no client code.

export { HEADERS, ARCHIVE_HEADERS, BROKER_HEADERS, BROKER_DELIVERY_HEADERS } from './headers.js'
export { DEAD_LETTER_REASONS } from './reasons.js'
export type { DeadLetterReason } from './reasons.js'
export { COPIED_PROPERTIES, copyProperties } from './properties.js'
export type { CopiedProperty, CopiedProperties, ReceivedProperties } from './properties.js'
export { ENCRYPTED_CONTENT_TYPE, isEncrypted } from './encryption.js'
