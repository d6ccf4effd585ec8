import { defineConfig } from 'vite';

// `vite build apps/console` (the Nx build target) makes this folder the root. The output is
// plain static files that the gateway serves at `/`: no CDN, no external fonts, works offline.
export default defineConfig({
  base: '/',
  build: {
    outDir: '../../dist/apps/console',
    emptyOutDir: true,
    sourcemap: true,
  },
});
