import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'
import { resolve } from 'node:path'

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: [
            'src/main/**/*.test.ts',
            'src/shared/**/*.test.ts',
            'src/cli/**/*.test.ts',
            'test/**/*.test.ts',
          ],
          exclude: ['test/e2e/**'],
          globalSetup: ['test/global-cli.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [react()],
        resolve: { alias: { '@shared': resolve(import.meta.dirname, 'src/shared') } },
        test: {
          name: 'renderer',
          environment: 'jsdom',
          include: ['src/renderer/**/*.test.{ts,tsx}'],
          setupFiles: ['src/renderer/src/test-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts', 'test/global-cli.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One Chromium at a time on a 2-core machine.
          fileParallelism: false,
          // What the window shows after real work (ffprobe, ffmpeg, the local fal) can take seconds
          // on a loaded CI machine; a poll waits for it instead of failing after the default 1 s.
          expect: { poll: { timeout: 15_000 } },
        },
      },
      {
        test: {
          name: 'bench',
          environment: 'node',
          include: ['bench/**/*.bench.ts'],
          // The window's figures start `reanimate ui` from the built CLI and renderer, as e2e does
          // (the two builds take a few seconds together).
          globalSetup: ['test/e2e/global-setup.ts', 'test/global-cli.ts'],
          testTimeout: 900_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
