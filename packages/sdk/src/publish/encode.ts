/** The bytes of a body and the content type they are sent with. */
export function encodeBody(body: unknown): { content: Buffer; contentType: string } {
  if (Buffer.isBuffer(body)) return { content: body, contentType: 'application/octet-stream' }
  if (typeof body === 'string') return { content: Buffer.from(body), contentType: 'text/plain' }
  const json = JSON.stringify(body)
  // JSON.stringify(undefined) is undefined: send JSON null rather than an empty body.
  return { content: Buffer.from(json ?? 'null'), contentType: 'application/json' }
}
