import fs from 'node:fs/promises'
import path from 'node:path'

export const ROOT = path.resolve(import.meta.dirname, '..')

/** Node with tsx loaded in-process: one process per script, so its pid is the one to stop or measure. */
export const tsNode = (script: string, args: string[]) =>
  [process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args]] as const

export async function benchDir(): Promise<string> {
  const dir = path.resolve(import.meta.dirname, '../.tmp/bench')
  await fs.mkdir(dir, { recursive: true })
  return dir
}

/** Prints one benchmark's figures as an aligned block on stdout. */
export function report(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length))
  const lines = [`\n== ${title}`, ...rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)]
  process.stdout.write(lines.join('\n') + '\n')
}
