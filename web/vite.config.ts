import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // tldraw's self-hosted assets are imported as URLs; pre-bundling them breaks the dev server.
  optimizeDeps: { exclude: ['@tldraw/assets'] },
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/ws': { target: 'ws://localhost:3000', ws: true },
    },
  },
  build: {
    chunkSizeWarningLimit: 2500,
    // tldraw fetches its translations; a tiny one inlined as a data: URL would be refused by our
    // Content-Security-Policy (connect-src 'self'). Keep every JSON asset a real file.
    assetsInlineLimit: (file) => (file.endsWith('.json') ? false : undefined),
    rollupOptions: {
      // React libraries inside tldraw mark themselves "use client"; meaningless in a plain SPA.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
