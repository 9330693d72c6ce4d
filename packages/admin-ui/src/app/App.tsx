import { RouterProvider } from '@tanstack/react-router'
import { AuthGate } from '../features/auth/AuthGate.js'
import { AppProvider } from './provider.js'
import { router } from './router.js'

export function App({ hashLoginError }: { hashLoginError: unknown }) {
  return (
    <AppProvider>
      <AuthGate hashLoginError={hashLoginError}>
        <RouterProvider router={router} />
      </AuthGate>
    </AppProvider>
  )
}
