/** Whether `name` matches an operator's pattern (`*` is any run of characters, all else literal). */
export function matchesPattern(pattern: string, name: string): boolean {
  const escaped = pattern.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  return new RegExp(`^${escaped.join('.*')}$`).test(name)
}

/** Whether a pattern names more than one thing (holds a `*`). */
export const isPattern = (pattern: string): boolean => pattern.includes('*')
