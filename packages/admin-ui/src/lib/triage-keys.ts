// Keyboard triage: j and k step through dead letters, as in mail and code-review tools.

/** Where a key is text being typed, not a command. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && target.type !== 'checkbox' && target.type !== 'radio')
  )
}

/** `next` for j, `previous` for k; null for any other key, a chord, or a key typed into a field. */
export function triageStep(event: KeyboardEvent): 'next' | 'previous' | null {
  if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return null
  if (event.key === 'j') return 'next'
  if (event.key === 'k') return 'previous'
  return null
}
