/** A bulk action the operator asked for, waiting for confirmation in a dialog. */
export type PendingAction =
  | { kind: 'requeue'; ids: string[] }
  | { kind: 'requeue-all'; count: number }
  | { kind: 'delete'; ids: string[] }
  | { kind: 'purge'; count: number }

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export const messages = (n: number) => plural(n, 'message')
