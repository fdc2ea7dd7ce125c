import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The web app's bundle: `npm run build` writes it to dist/web, which the query app serves at `/`
 * (apps/query/src/web). `npm run web:dev` serves it with hot reload and forwards the API to a
 * running query app (QUERY_URL, default http://127.0.0.1:3001), which forwards jobs on.
 */
export default defineConfig({
  root: here,
  plugins: [react()],
  build: { outDir: `${here}../../dist/web`, emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
  server: {
    proxy: Object.fromEntries(['/api', '/v1'].map((path) => [path, { target: process.env.QUERY_URL ?? 'http://127.0.0.1:3001', changeOrigin: true }])),
  },
});
