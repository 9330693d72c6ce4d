// What a broker's own version string tells the tests about it.

/** `[major, minor]` of a RabbitMQ version such as `4.3.6`. */
const lineOf = (version: string): [number, number] => {
  const [major = 0, minor = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0)
  return [major, minor]
}

/**
 * Whether a quorum queue on this broker counts every return of a message towards its delivery
 * limit, a requeueing nack too: every release before 4.3 (4.3 counts only failed deliveries).
 */
export function countsEveryReturn(version: string): boolean {
  const [major, minor] = lineOf(version)
  return major < 4 || (major === 4 && minor < 3)
}
