import { useState } from 'react'
import { describeError } from '../../lib/errors.js'
import { formatAbsolute, formatRelative } from '../../lib/format.js'
import { useAddNote } from './api/notes.js'
import type { NoteTarget } from './api/notes.js'

export interface NoteItem {
  id: number
  target: NoteTarget
  text: string
  author: string
  createdAt: string
}

export interface NotesProps {
  vhost: string
  queue: string
  target: NoteTarget
  /** Every note of the queue; those on `target` are shown. */
  notes: readonly NoteItem[]
  /** Operators may add notes; viewers only read them. */
  canAdd: boolean
  /** What the notes are on, for the list's and the field's names: "message 42", "this group". */
  label: string
}

const sameTarget = (a: NoteTarget, b: NoteTarget) =>
  'id' in a ? 'id' in b && a.id === b.id : 'group' in b && a.group === b.group

/** Notes on a message or a failure group (what was found, who is on it), with author and time. */
export function Notes({ vhost, queue, target, notes, canAdd, label }: NotesProps) {
  const [text, setText] = useState('')
  const add = useAddNote()
  const mine = notes.filter((note) => sameTarget(note.target, target))
  return (
    <div className="notes" data-testid="notes">
      {mine.length === 0 ? (
        <p className="muted small">No notes on {label} yet.</p>
      ) : (
        <ul aria-label={`Notes on ${label}`} className="note-list">
          {mine.map((note) => (
            <li key={note.id} data-testid="note">
              <p>{note.text}</p>
              <p className="muted small">
                {note.author} ·{' '}
                <time dateTime={note.createdAt} title={formatAbsolute(note.createdAt)}>
                  {formatRelative(note.createdAt)}
                </time>
              </p>
            </li>
          ))}
        </ul>
      )}
      {canAdd ? (
        <form
          className="note-form"
          onSubmit={(event) => {
            event.preventDefault()
            if (!text.trim()) return
            add.mutate({ vhost, queue, target, text }, { onSuccess: () => setText('') })
          }}
        >
          <label className="field">
            <span>Add a note on {label}</span>
            <textarea
              rows={2}
              value={text}
              maxLength={2000}
              onChange={(event) => setText(event.target.value)}
            />
          </label>
          <button type="submit" className="button small" disabled={!text.trim() || add.isPending}>
            Add note
          </button>
          {add.isError ? (
            <p role="alert" className="notice error">
              {describeError(add.error)}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  )
}
