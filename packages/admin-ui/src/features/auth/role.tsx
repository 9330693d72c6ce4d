import { createContext, useContext } from 'react'

export type ConsoleRole = 'operator' | 'viewer'

export const RoleContext = createContext<ConsoleRole>('viewer')

/** Whether the logged-in token may requeue, delete, purge and restore. */
export const useCanOperate = (): boolean => useContext(RoleContext) === 'operator'
export const useRole = (): ConsoleRole => useContext(RoleContext)
