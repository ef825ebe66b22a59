import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'
import type { Plugin } from 'vite'
import { contentSecurityPolicy } from './src/shared/csp'

/** Puts the one CSP (src/shared/csp.ts) into index.html: strict when built, relaxed for HMR in dev. */
function cspMeta(): Plugin {
  let mode: 'production' | 'development' = 'production'
  return {
    name: 'reanimate-csp',
    configResolved(config) {
      mode = config.command === 'serve' ? 'development' : 'production'
    },
    transformIndexHtml: () => [
      {
        tag: 'meta',
        attrs: { 'http-equiv': 'Content-Security-Policy', content: contentSecurityPolicy(mode) },
        injectTo: 'head-prepend',
      },
    ],
  }
}

/**
 * sonner adds its stylesheet as an inline <style> when imported, which the CSP (style-src 'self')
 * refuses. Its stylesheet is imported as a file instead (styles.css), and the injection dropped.
 */
function sonnerWithoutInlineStyle(): Plugin {
  return {
    name: 'reanimate-sonner-no-inline-style',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]sonner[\\/]dist[\\/]index\.m?js/.test(id)) return null
      const out = code.replace(/^__insertCSS\(".*"\);?$/m, '')
      if (out === code)
        throw new Error('sonner no longer injects its CSS as expected: check the plugin')
      return { code: out, map: null }
    },
  }
}

// ESM-only packages are bundled into main so it never depends on require(esm).
const bundled = ['conf', 'execa', 'zod', 'p-queue']

export default defineConfig({
  main: {
    build: {
      externalizeDeps: { exclude: bundled },
      rollupOptions: { input: { index: resolve(__dirname, 'src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require anything: bundle all of it.
      externalizeDeps: false,
      rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    resolve: { alias: { '@shared': resolve(__dirname, 'src/shared') } },
    plugins: [react(), cspMeta(), sonnerWithoutInlineStyle()],
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
})
