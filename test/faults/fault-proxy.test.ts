import net from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js'
import { sleep, waitFor } from '@warren/test-kit'

// The proxy is the instrument of two scenarios: check it does what they rely on, against a
// plain echo server (no broker needed).
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function echoServer(): Promise<{ port: number; connections: Set<net.Socket> }> {
  const connections = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    connections.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => connections.delete(socket))
    socket.pipe(socket)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    for (const socket of connections) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { port: (server.address() as net.AddressInfo).port, connections }
}

async function proxyTo(port: number): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ port })
  cleanups.push(() => proxy.close())
  return proxy
}

/** A client that records what it receives and how it ended. */
async function client(port: number) {
  const socket = net.connect({ host: '127.0.0.1', port })
  const state = { received: '', ended: false, error: undefined as string | undefined }
  socket.on('data', (data: Buffer) => (state.received += data.toString()))
  socket.on('end', () => (state.ended = true))
  socket.on('error', (error: NodeJS.ErrnoException) => (state.error = error.code))
  // A reset can come before 'connect' is seen: either ends the wait.
  await new Promise<void>((resolve) => {
    socket.once('connect', () => resolve())
    socket.once('error', () => resolve())
  })
  cleanups.push(async () => void socket.destroy())
  return { socket, state }
}

describe('fault proxy', { timeout: 15_000 }, () => {
  it('pass forwards bytes both ways', async () => {
    const echo = await echoServer()
    const proxy = await proxyTo(echo.port)
    const { socket, state } = await client(proxy.port)
    socket.write('hello')
    await waitFor(() => state.received === 'hello', 'the echo', 5000)
    expect(proxy.connections).toBe(1)
  })

  it('blackhole forwards nothing, not even a close, and swallows what is sent', async () => {
    const echo = await echoServer()
    const proxy = await proxyTo(echo.port)
    const { socket, state } = await client(proxy.port)
    socket.write('before')
    await waitFor(() => state.received === 'before', 'the echo', 5000)
    proxy.setMode('blackhole')
    socket.write('during')
    for (const upstream of echo.connections) upstream.end()
    await sleep(300)
    expect(state).toEqual({ received: 'before', ended: false, error: undefined })
    expect(proxy.heldBytes).toBe('during'.length)
  })

  it('blackhole accepts new connections but never reaches the server', async () => {
    const echo = await echoServer()
    const proxy = await proxyTo(echo.port)
    proxy.setMode('blackhole')
    const { socket, state } = await client(proxy.port)
    socket.write('anyone?')
    await sleep(300)
    expect(state.received).toBe('')
    expect(echo.connections.size).toBe(0)
  })

  it('reset destroys open connections with RST and refuses new ones until pass', async () => {
    const echo = await echoServer()
    const proxy = await proxyTo(echo.port)
    const open = await client(proxy.port)
    proxy.setMode('reset')
    await waitFor(() => open.state.error !== undefined, 'the reset', 5000)
    expect(open.state.error).toBe('ECONNRESET')
    const refused = await client(proxy.port)
    await waitFor(() => refused.state.error !== undefined, 'the second reset', 5000)
    expect(refused.state.error).toBe('ECONNRESET')
    proxy.setMode('pass')
    const later = await client(proxy.port)
    later.socket.write('back')
    await waitFor(() => later.state.received === 'back', 'the echo after pass', 5000)
  })
})
