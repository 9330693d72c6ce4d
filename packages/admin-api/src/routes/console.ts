import { stat } from 'node:fs/promises'
import { extname, join, resolve, sep } from 'node:path'
import type { Hono } from 'hono'
import type { AppEnv } from '../context.js'
import { chooseEncoding, createConsoleFiles, type ConsoleFile } from './console-files.js'
import { problem } from './problem.js'

const NOT_BUILT = `Warren's console is not built yet.

Build it with:   pnpm --filter @warren/admin-ui build
or point WARREN_UI_DIR at a built console.

The API is up: try /api/health.
`

async function fileIn(root: string, path: string): Promise<string | undefined> {
  let decoded: string
  try {
    decoded = decodeURIComponent(path)
  } catch {
    return undefined
  }
  const full = resolve(root, `.${decoded}`)
  // Never serve anything outside the console's directory.
  if (full !== root && !full.startsWith(root + sep)) return undefined
  try {
    return (await stat(full)).isFile() ? full : undefined
  } catch {
    return undefined
  }
}

/**
 * The console's page for a host that serves Warren under `basePath`: a `<base>` that the console
 * reads its API and route prefix from, and asset URLs under the prefix.
 */
function underBasePath(html: string, basePath: string): string {
  if (basePath === '') return html
  return html
    .replace(/<head>/i, `<head>\n    <base href="${basePath}/" />`)
    .replace(/(\s(?:src|href)=")\/assets\//g, `$1${basePath}/assets/`)
}

/**
 * Serves the console's built files at `/`, with `index.html` for every other non-API GET so
 * that client-side routes survive a reload; a plain-text page when the console isn't built.
 * Under a host's `basePath` (e.g. `/ops/warren`, already checked by the caller), the page's
 * asset URLs and `<base>` point there. Text files go out brotli- or gzip-compressed as the
 * client accepts, compressed once per file version; hashed `/assets/` files are cached for a
 * year, the page is revalidated on every load.
 */
export function mountConsole(app: Hono<AppEnv>, uiDir: string, basePath = ''): void {
  const root = resolve(uiDir)
  const files = createConsoleFiles((file, body) =>
    extname(file) === '.html' ? Buffer.from(underBasePath(body.toString('utf8'), basePath)) : body,
  )
  app.get('*', async (c) => {
    if (c.req.path === '/api' || c.req.path.startsWith('/api/')) {
      return problem(c, 404, 'not-found', 'Not found', `No route GET ${c.req.path}`)
    }
    const path =
      (c.req.path !== '/' && (await fileIn(root, c.req.path))) || join(root, 'index.html')
    let file: ConsoleFile
    try {
      file = await files.read(path)
    } catch {
      return c.text(NOT_BUILT, 503)
    }
    const immutable = c.req.path.startsWith('/assets/') && path !== join(root, 'index.html')
    const headers: Record<string, string> = {
      'content-type': file.type,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    }
    if (!file.compressible) return c.body(new Uint8Array(file.body), 200, headers)
    headers['vary'] = 'accept-encoding'
    const encoding = chooseEncoding(c.req.header('accept-encoding'))
    const encoded = encoding && file.encoded(encoding)
    if (!encoding || !encoded) return c.body(new Uint8Array(file.body), 200, headers)
    headers['content-encoding'] = encoding
    return c.body(new Uint8Array(await encoded), 200, headers)
  })
}
