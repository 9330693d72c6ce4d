/** The URL with a heartbeat unless it names one, and without its password (for logs). */
export function withHeartbeat(url: string, heartbeatSeconds: number): string {
  const parsed = new URL(url)
  if (!parsed.searchParams.has('heartbeat')) {
    parsed.searchParams.set('heartbeat', String(heartbeatSeconds))
  }
  return parsed.toString()
}

export function redact(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return '<invalid url>'
  }
}
