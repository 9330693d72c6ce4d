import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App.js'
import { login } from './features/auth/api/login.js'
import { takeTokenFromHash } from './features/auth/token-from-hash.js'
import { applyTheme } from './lib/theme.js'
import './styles/theme.css'
import './styles/app.css'
import './styles/phone.css'

applyTheme()
const hashToken = takeTokenFromHash()
// Log in from the printed link before the first render, so the console opens straight away.
const hashLoginError: unknown = hashToken
  ? await login(hashToken).then(
      () => null,
      (error: unknown) => error,
    )
  : null

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')

createRoot(root).render(
  <StrictMode>
    <App hashLoginError={hashLoginError} />
  </StrictMode>,
)
