// An Express service that serves Warren's console and API at /ops/warren: its own login stands
// in front, and Warren's token login still applies behind it.
// Run: pnpm --filter @warren/examples express   (WARREN_* variables configure Warren; PORT the host)
import type { Server } from 'node:http'
import { createWarrenAdmin, loadConfig, type Config } from '@warren/admin-api'
import express, { type RequestHandler } from 'express'
import { isMain, isStaff } from './host-auth.js'

const staffOnly: RequestHandler = (request, response, next) => {
  if (isStaff(request.headers.authorization)) return next()
  response.status(401).set('www-authenticate', 'Basic realm="ops"').send('staff only')
}

export async function startHost(port: number, config: Config = loadConfig()) {
  const admin = createWarrenAdmin({ config, basePath: '/ops/warren' })
  const app = express()
  app.get('/', (_request, response) => {
    response.send('orders service')
  })
  // Before any body parser: Warren reads the request body itself.
  app.use('/ops/warren', staffOnly, admin.handler)

  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(port, '127.0.0.1', () => resolve(s))
  })
  return {
    url: `http://127.0.0.1:${port}/ops/warren/`,
    adminToken: admin.adminToken,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await admin.close()
    },
  }
}

if (isMain(import.meta.url)) {
  const host = await startHost(Number(process.env.PORT ?? 3000))
  console.log(`Warren console: ${host.url}#token=${host.adminToken} (user ops)`)
}
