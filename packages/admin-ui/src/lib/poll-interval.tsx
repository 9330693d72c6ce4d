import { createContext, useContext, useState } from 'react'
import type { ReactNode } from 'react'

/** Refresh intervals an operator can pick, in milliseconds; `false` stops polling. */
export const POLL_CHOICES = [
  { label: '2 s', value: 2_000 },
  { label: '5 s', value: 5_000 },
  { label: '10 s', value: 10_000 },
  { label: '30 s', value: 30_000 },
  { label: 'Paused', value: false },
] as const

export type PollInterval = (typeof POLL_CHOICES)[number]['value']

const STORAGE_KEY = 'warren.pollInterval'
const DEFAULT_INTERVAL: PollInterval = 5_000

function storedInterval(): PollInterval {
  const raw = localStorage.getItem(STORAGE_KEY)
  const found = POLL_CHOICES.find((choice) => String(choice.value) === raw)
  return found ? found.value : DEFAULT_INTERVAL
}

interface PollIntervalState {
  interval: PollInterval
  setInterval: (interval: PollInterval) => void
}

const PollIntervalContext = createContext<PollIntervalState>({
  interval: DEFAULT_INTERVAL,
  setInterval: () => {},
})

export function PollIntervalProvider({ children }: { children: ReactNode }) {
  const [interval, setState] = useState<PollInterval>(storedInterval)
  const setInterval = (next: PollInterval) => {
    localStorage.setItem(STORAGE_KEY, String(next))
    setState(next)
  }
  return (
    <PollIntervalContext.Provider value={{ interval, setInterval }}>
      {children}
    </PollIntervalContext.Provider>
  )
}

/** The `refetchInterval` every polling query uses. */
export const usePollInterval = (): PollInterval => useContext(PollIntervalContext).interval

export function PollIntervalSelect() {
  const { interval, setInterval } = useContext(PollIntervalContext)
  return (
    <label className="inline-field">
      <span>Refresh</span>
      <select
        aria-label="Refresh interval"
        data-testid="poll-interval"
        value={String(interval)}
        onChange={(event) => {
          const choice = POLL_CHOICES.find((c) => String(c.value) === event.target.value)
          if (choice) setInterval(choice.value)
        }}
      >
        {POLL_CHOICES.map((choice) => (
          <option key={choice.label} value={String(choice.value)}>
            {choice.label}
          </option>
        ))}
      </select>
    </label>
  )
}
