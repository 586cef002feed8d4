import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the API at /admin/ (src/core/http/console.ts); `npm run dev` proxies the API.
export default defineConfig({
  base: '/admin/',
  plugins: [react()],
  // One bundle of about 1 MB (330 kB gzipped): react-admin and MUI are most of it.
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: { proxy: { '/api': 'http://localhost:8000' } },
});
