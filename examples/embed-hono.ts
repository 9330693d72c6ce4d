// A Hono service that serves Warren's console and API at /ops/warren, behind its own login:
// Warren trusts the host (`trustHost`), so staff never see Warren's token prompt.
// Run: pnpm --filter @warren/examples hono   (WARREN_* variables configure Warren; PORT the host)
import { serve } from '@hono/node-server'
import { createWarrenAdmin, loadConfig, type Config } from '@warren/admin-api'
import { Hono } from 'hono'
import { isMain, isStaff } from './host-auth.js'

export async function startHost(port: number, config: Config = loadConfig()) {
  const admin = createWarrenAdmin({
    config,
    basePath: '/ops/warren',
    // Only staff get past the check below; they act as Warren operators.
    trustHost: (request) =>
      isStaff(request.headers.get('authorization')) ? 'operator' : undefined,
  })
  const app = new Hono()
  app.get('/', (c) => c.text('orders service'))
  app.use('/ops/warren/*', async (c, next) => {
    if (isStaff(c.req.header('authorization'))) return next()
    return c.text('staff only', 401, { 'www-authenticate': 'Basic realm="ops"' })
  })
  app.route('/', admin.app)

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => resolve(s))
  })
  return {
    url: `http://127.0.0.1:${port}/ops/warren/`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await admin.close()
    },
  }
}

if (isMain(import.meta.url)) {
  const host = await startHost(Number(process.env.PORT ?? 3000))
  console.log(`Warren console: ${host.url} (user ops)`)
}
