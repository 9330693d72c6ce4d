import { useState } from 'react'

type Theme = 'light' | 'dark'
const STORAGE_KEY = 'warren.theme'

const darkScheme = () => window.matchMedia('(prefers-color-scheme: dark)')

function storedTheme(): Theme | undefined {
  const stored = localStorage.getItem(STORAGE_KEY)
  return stored === 'light' || stored === 'dark' ? stored : undefined
}

function initialTheme(): Theme {
  return storedTheme() ?? (darkScheme().matches ? 'dark' : 'light')
}

/**
 * Sets `data-theme` before the first paint, the stored choice or else the system's, so the CSS
 * holds each palette once; without a stored choice it follows the system as it changes.
 */
export function applyTheme(): void {
  document.documentElement.dataset.theme = initialTheme()
  darkScheme().addEventListener('change', (event) => {
    if (!storedTheme()) document.documentElement.dataset.theme = event.matches ? 'dark' : 'light'
  })
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
