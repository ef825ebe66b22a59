import path from 'node:path'
import { execa } from 'execa'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    rendererDir: string
  }
}

/** Builds the real renderer once per run, exactly as the app ships it. */
export default async function setup(project: TestProject): Promise<void> {
  const root = path.resolve(import.meta.dirname, '../..')
  const outDir = path.join(root, 'out/e2e-renderer')
  await execa(
    'npx',
    [
      'vite',
      'build',
      '--config',
      'test/e2e/vite.renderer.config.mts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
  project.provide('rendererDir', outDir)
}
