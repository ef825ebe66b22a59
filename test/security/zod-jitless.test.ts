import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import '../../src/shared/zod-jitless'

const src = path.resolve(import.meta.dirname, '../../src')

/** The first import statement of an entry file. */
const firstImport = (file: string) =>
  /^import\s+(?:[^'"]*from\s+)?['"]([^'"]+)['"]/m.exec(fs.readFileSync(file, 'utf8'))?.[1]

describe('zod without eval', () => {
  it('is jitless once the module is imported', () => {
    expect(z.config().jitless).toBe(true)
  })

  it.each([
    ['renderer/src/main.tsx', '@shared/zod-jitless'],
    ['preload/index.ts', '../shared/zod-jitless'],
  ])('%s imports it before anything else, so no schema is built first', (entry, spec) => {
    expect(firstImport(path.join(src, entry))).toBe(spec)
  })
})
