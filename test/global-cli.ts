import path from 'node:path'
import { execa } from 'execa'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    cliPath: string
  }
}

/** Builds the real `reanimate` CLI once, for tests that must run it as its own process (kill -9). */
export default async function setup(project: TestProject): Promise<void> {
  const root = path.resolve(import.meta.dirname, '..')
  const outDir = path.join(root, 'out/test-cli')
  await execa(
    'npx',
    ['vite', 'build', '--config', 'vite.cli.config.mts', '--outDir', outDir, '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  )
  project.provide('cliPath', path.join(outDir, 'reanimate.cjs'))
}
