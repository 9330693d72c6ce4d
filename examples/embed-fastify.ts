// A Fastify service that serves Warren's console and API at /ops/warren: its own login stands
// in front, and Warren's token login still applies behind it.
// Run: pnpm --filter @warren/examples fastify   (WARREN_* variables configure Warren; PORT the host)
import { createWarrenAdmin, loadConfig, type Config } from '@warren/admin-api'
import Fastify, { type RouteHandlerMethod } from 'fastify'
import { isMain, isStaff } from './host-auth.js'

export async function startHost(port: number, config: Config = loadConfig()) {
  const admin = createWarrenAdmin({ config, basePath: '/ops/warren' })
  const app = Fastify()
  app.get('/', async () => 'orders service')
  await app.register(async (scope) => {
    // Warren reads the request body itself: no parsing in this scope.
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null))
    scope.addHook('onRequest', async (request, reply) => {
      if (!isStaff(request.headers.authorization)) {
        await reply.code(401).header('www-authenticate', 'Basic realm="ops"').send('staff only')
      }
    })
    const toWarren: RouteHandlerMethod = (request, reply) => {
      reply.hijack()
      admin.handler(request.raw, reply.raw)
    }
    scope.all('/ops/warren', toWarren)
    scope.all('/ops/warren/*', toWarren)
  })
  await app.listen({ host: '127.0.0.1', port })
  return {
    url: `http://127.0.0.1:${port}/ops/warren/`,
    adminToken: admin.adminToken,
    async close() {
      await app.close()
      await admin.close()
    },
  }
}

if (isMain(import.meta.url)) {
  const host = await startHost(Number(process.env.PORT ?? 3000))
  console.log(`Warren console: ${host.url}#token=${host.adminToken} (user ops)`)
}
