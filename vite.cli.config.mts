import { builtinModules } from 'node:module'
import { resolve } from 'node:path'
import { defineConfig } from 'vite'

// Packages that find their binaries relative to their own folder must stay in node_modules.
const external = ['ffmpeg-static', '@ffprobe-installer/ffprobe', '@fal-ai/client', 'ws']

/** The `reanimate` CLI: one CommonJS file for plain Node 20, never importing electron. */
export default defineConfig({
  build: {
    ssr: resolve(import.meta.dirname, 'src/cli/index.ts'),
    outDir: 'out/cli',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: true,
    rollupOptions: {
      external: (id) =>
        id === 'electron' ||
        id.startsWith('node:') ||
        builtinModules.includes(id) ||
        external.some((e) => id === e || id.startsWith(`${e}/`)),
      output: { format: 'cjs', entryFileNames: 'reanimate.cjs', banner: '#!/usr/bin/env node' },
    },
  },
  ssr: { noExternal: true, target: 'node' },
})
