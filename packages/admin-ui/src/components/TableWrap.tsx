import type { ReactNode } from 'react'

/**
 * The box a wide table scrolls in: a named region that takes focus, so a keyboard can scroll it
 * too (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function TableWrap({
  label,
  className,
  children,
}: {
  label: string
  className?: string | undefined
  children: ReactNode
}) {
  return (
    <div
      className={className ? `table-wrap ${className}` : 'table-wrap'}
      role="region"
      // Apart from the section's own name: two landmarks may not share one.
      aria-label={`${label} table`}
      tabIndex={0}
    >
      {children}
    </div>
  )
}
