// Where the console is served: `/` when the admin API runs on its own, the host's prefix
// (`/ops/warren/`) when a service embeds it (`createWarrenAdmin`), which writes it into the page
// as `<base href>`. API calls, routes and download links all start there.

function readBasePath(): string {
  if (typeof document === 'undefined') return '/'
  const href = document.querySelector('base')?.getAttribute('href')
  if (!href) return '/'
  const path = new URL(href, document.location.href).pathname
  return path.endsWith('/') ? path : `${path}/`
}

/** `/`, or the embedding host's prefix with its trailing slash. */
export const BASE_PATH = readBasePath()

/** A path of the admin API or the console (`/api/...`) as the browser must ask for it. */
export const withBase = (path: string): string => `${BASE_PATH}${path.replace(/^\//, '')}`
