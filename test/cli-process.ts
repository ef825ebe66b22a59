import { spawn } from 'node:child_process'
import { inject } from 'vitest'

export interface CliExit {
  code: number | null
  stdout: string
  stderr: string
  /** The `--json` object on the last stdout line ({} if there is none). */
  json: Record<string, unknown>
}

/**
 * Runs the built `reanimate` CLI as its own process, with a tmpfs mounted over `mountPoint` in a
 * private mount namespace first (`unshare -rm`): a real full or read-only disk, which root could
 * not get from file modes. `options` are tmpfs mount options, e.g. `size=600k` or `ro`.
 */
export async function cliOnTmpfs(
  mountPoint: string,
  options: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CliExit> {
  const script = `mount -t tmpfs -o ${options} tmpfs "$0" && exec "$@"`
  const child = spawn(
    'unshare',
    ['-rm', 'sh', '-c', script, mountPoint, process.execPath, inject('cliPath'), ...args],
    { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const last = stdout.trim().split('\n').at(-1) || '{}'
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(last) as Record<string, unknown>
  } catch {
    // not a --json run, or it died before printing
  }
  return { code, stdout, stderr, json }
}
