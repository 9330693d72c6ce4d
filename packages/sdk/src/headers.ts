// Kept for the SDK's own modules, which import '../headers.js': the names live in protocol/.
export { HEADERS, DEAD_LETTER_REASONS, type DeadLetterReason } from './protocol/index.js'
