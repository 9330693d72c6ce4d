import { useSyncExternalStore } from 'react'

/** Below this width the console lays out for a phone (styles/phone.css says the same). */
export const PHONE_QUERY = '(max-width: 700px)'

const media = () => window.matchMedia(PHONE_QUERY)

const subscribe = (onChange: () => void) => {
  const query = media()
  query.addEventListener('change', onChange)
  return () => query.removeEventListener('change', onChange)
}

/** Whether the screen is a phone's: cards instead of wide tables, filters behind a button. */
export const usePhone = (): boolean =>
  useSyncExternalStore(
    subscribe,
    () => media().matches,
    () => false,
  )
