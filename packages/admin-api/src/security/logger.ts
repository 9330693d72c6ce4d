/** A structured logger; every line goes through the redactor first. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

/** Where log lines go; tests pass an array's `push` to read them. */
export type LogSink = (line: string) => void

const stdout: LogSink = (line) => process.stdout.write(`${line}\n`)

/** JSON-lines logger (one object per line: `time`, `level`, `msg`, fields). */
export function createLogger(redact: (text: string) => string, sink: LogSink = stdout): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const line = JSON.stringify(
      { time: new Date().toISOString(), level, msg, ...fields },
      (_k, v) => (v instanceof Error ? { name: v.name, message: v.message } : (v as unknown)),
    )
    sink(redact(line))
  }
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  }
}
