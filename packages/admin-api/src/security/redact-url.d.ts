/**
 * Hides the password of every `scheme://user:password@` in `text`.
 *
 * @example
 * redactUrls('connect amqp://guest:guest@mq:5672 failed') // 'connect amqp://guest:***@mq:5672 failed'
 */
export function redactUrls(text: string): string

/** One URL fit to print: `amqp://guest:***@127.0.0.1:5672` (no trailing slash). */
export function redactUrl(url: string): string
