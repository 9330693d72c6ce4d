import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

// The admin API serves `dist/` at `/`; in development Vite serves the console and forwards the API.
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
})
