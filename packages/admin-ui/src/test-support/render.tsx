import { QueryClient, QueryClientProvider } from '@tanstack/react-query'
import { render } from '@testing-library/react'
import type { ReactElement } from 'react'
import { vi } from 'vitest'

/** One request the mocked admin API received. */
export interface SentRequest {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
}

export type Reply = { status?: number; body: unknown }
type Route = (request: SentRequest) => Reply | undefined

/**
 * Replaces `fetch` with an admin API made of `routes`: the first that answers wins, anything
 * unanswered is a 404 problem. Returns the requests sent, in order.
 */
export function mockApi(...routes: Route[]): SentRequest[] {
  const sent: SentRequest[] = []
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input instanceof Request ? input.url : input), 'http://console')
      const raw = init?.body
      const request: SentRequest = {
        method: (init?.method ?? 'GET').toUpperCase(),
        path: decodeURI(url.pathname),
        query: url.searchParams,
        body: typeof raw === 'string' ? JSON.parse(raw) : undefined,
      }
      sent.push(request)
      const reply = routes.map((route) => route(request)).find((r) => r !== undefined) ?? {
        status: 404,
        body: { type: 'urn:warren:problem:not-found', title: 'Not found' },
      }
      const status = reply.status ?? 200
      const type = status >= 400 ? 'application/problem+json' : 'application/json'
      return new Response(JSON.stringify(reply.body), { status, headers: { 'content-type': type } })
    }),
  )
  return sent
}

/** A route answering `method path` (path decoded, query ignored). */
export const on =
  (method: string, path: string, reply: Reply | ((request: SentRequest) => Reply)): Route =>
  (request) =>
    request.method === method && request.path === path
      ? typeof reply === 'function'
        ? reply(request)
        : reply
      : undefined

/** Renders with a fresh query client that does not retry, as a test wants to see failures. */
export function renderWithClient(ui: ReactElement) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  })
  return { client, ...render(<QueryClientProvider client={client}>{ui}</QueryClientProvider>) }
}
