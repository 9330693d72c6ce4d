import { afterEach, vi } from 'vitest'

// Component tests unmount what they rendered and drop their fetch mock after each test.
afterEach(async () => {
  if (typeof document !== 'undefined') {
    const { cleanup } = await import('@testing-library/react')
    cleanup()
  }
  vi.unstubAllGlobals()
})
