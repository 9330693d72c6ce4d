import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { call, segment, storeApi } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

// One file for the notes endpoint: GET lists a queue's notes, POST adds one.

export type NoteTarget = { id: string } | { group: string }

const endpoint = () => storeApi['dead-letters'][':vhost'][':queue'].notes

/** Every note on a queue's messages and groups, oldest first. */
export const getNotes = (vhost: string, queue: string) =>
  call(endpoint().$get({ param: { vhost: segment(vhost), queue: segment(queue) } }))

export const notesQueryOptions = (vhost: string, queue: string) =>
  queryOptions({
    queryKey: queryKeys.deadLetters.notes(vhost, queue),
    queryFn: () => getNotes(vhost, queue),
  })

export function useNotes(vhost: string, queue: string) {
  return useQuery(notesQueryOptions(vhost, queue))
}

export interface AddNoteInput {
  vhost: string
  queue: string
  target: NoteTarget
  text: string
}

export const addNote = ({ vhost, queue, target, text }: AddNoteInput) =>
  call(
    endpoint().$post({
      param: { vhost: segment(vhost), queue: segment(queue) },
      json: { target, text },
    }),
  )

export function useAddNote() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: addNote,
    onSuccess: (_note, { vhost, queue }) =>
      queryClient.invalidateQueries({ queryKey: queryKeys.deadLetters.notes(vhost, queue) }),
  })
}
