import { useState } from 'react'
import { payloadDisplay } from './payload-display.js'
import type { DeadLetterMessage } from './types.js'

/**
 * The payload as decoded (decompressed, in its charset), with a switch to the bytes as they
 * arrived. Mount it with `key={message.id}` so another message starts decoded again.
 */
export function PayloadSection({ message }: { message: DeadLetterMessage }) {
  const [raw, setRaw] = useState(false)
  const shown = payloadDisplay(message, raw)
  return (
    <section className="drawer-section">
      <h3>
        Payload <span className="muted">({shown.summary})</span>
      </h3>
      {shown.decodedWith ? (
        <p className="muted small" data-testid="drawer-payload-decoded">
          Decoded from {shown.decodedWith}.{' '}
          <button
            type="button"
            className="button small"
            aria-pressed={raw}
            onClick={() => setRaw((value) => !value)}
          >
            {raw ? 'Show decoded' : 'Show raw bytes'}
          </button>
        </p>
      ) : null}
      <pre data-testid="drawer-payload">{shown.text}</pre>
    </section>
  )
}
