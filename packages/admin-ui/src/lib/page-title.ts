import { useEffect } from 'react'

/** Names the browser tab after the screen, so an operator with five tabs finds the one. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Warren`
  }, [title])
}
