// Entry point: `pnpm --filter @warren/admin-api start` (or `tsx src/main.ts`).
import { loadConfig, ConfigError } from './config.js'
import { redactUrls } from './security/redact-url.js'
import { startServer } from './server.js'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
  const server = await startServer(config)
  console.log(`Warren console: ${server.loginUrl}`)

  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    server.warren.log.info('shutting down', { signal })
    // Don't hang on a stuck connection: give in-flight requests a few seconds.
    setTimeout(() => process.exit(1), 10_000).unref()
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
}

main().catch((error: unknown) => {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  console.error(
    code === 'EADDRINUSE'
      ? 'Warren: the port is taken; set WARREN_PORT to another one.'
      : `Warren failed to start: ${redactUrls(error instanceof Error ? error.message : String(error))}`,
  )
  process.exit(1)
})
