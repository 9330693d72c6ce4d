import { useState } from 'react'

type Theme = 'light' | 'dark'
const STORAGE_KEY = 'warren.theme'

const systemTheme = (): Theme =>
  window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'

function initialTheme(): Theme {
  const stored = localStorage.getItem(STORAGE_KEY)
  return stored === 'light' || stored === 'dark' ? stored : systemTheme()
}

/** Applies a stored choice before the first paint; without one, CSS follows the system. */
export function applyStoredTheme(): void {
  const stored = localStorage.getItem(STORAGE_KEY)
  if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(initialTheme)
  const next: Theme = theme === 'dark' ? 'light' : 'dark'
  return (
    <button
      type="button"
      className="button ghost icon"
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      data-testid="theme-toggle"
      onClick={() => {
        localStorage.setItem(STORAGE_KEY, next)
        document.documentElement.dataset.theme = next
        setTheme(next)
      }}
    >
      {theme === 'dark' ? '☀' : '☾'}
    </button>
  )
}
