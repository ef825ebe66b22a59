import { spawnSync } from 'node:child_process'
import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { FileLock } from './file-lock'

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-lock-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

const who = (command: string, pid = process.pid) => ({
  pid,
  host: os.hostname(),
  command,
  startedAt: new Date().toISOString(),
})

/** A pid that surely belongs to no process any more: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'])
  return Number(child.stdout.toString())
}

describe('FileLock', () => {
  it('lets one holder in at a time: no read-modify-write is lost', async () => {
    const file = path.join(dir, 'counter')
    await fs.writeFile(file, '0')
    const locks = [0, 1, 2].map(
      (i) => new FileLock(path.join(dir, 'x.lock'), who(`writer ${i}`), { what: 'x' }),
    )
    await Promise.all(
      locks.map(async (lock) => {
        for (let n = 0; n < 30; n++) {
          await lock.with(async () => {
            const v = Number(await fs.readFile(file, 'utf8'))
            await new Promise((r) => setImmediate(r))
            await fs.writeFile(file, String(v + 1))
          })
        }
      }),
    )
    expect(await fs.readFile(file, 'utf8')).toBe('90')
    expect(await fs.readdir(dir)).toEqual(['counter'])
  })

  it('waits briefly, then names the live holder in plain words', async () => {
    const holder = new FileLock(path.join(dir, 'j.lock'), who('reanimate batch'), { what: 'x' })
    await holder.acquire()
    const other = new FileLock(path.join(dir, 'j.lock'), who('reanimate run'), {
      what: 'The job journal in /data',
      waitMs: 150,
    })
    const started = Date.now()
    const err = await other.acquire().catch((e: unknown) => e)
    expect(Date.now() - started).toBeGreaterThanOrEqual(140)
    expect(err).toBeInstanceOf(AppError)
    expect((err as AppError).code).toBe('locked')
    expect((err as AppError).message).toMatch(
      new RegExp(
        `^The job journal in /data is locked by reanimate batch \\(pid ${process.pid}, since \\d\\d:\\d\\d\\)`,
      ),
    )
    await holder.release()
    await other.acquire()
    await other.release()
  })

  it('takes over at once from a holder that died (kill -9 while holding)', async () => {
    const file = path.join(dir, 'j.lock')
    await fs.writeFile(
      file,
      JSON.stringify({
        ...who('reanimate run', deadPid()),
        token: 't',
        since: new Date().toISOString(),
      }),
    )
    const lock = new FileLock(file, who('reanimate batch'), { what: 'x', waitMs: 50 })
    const started = Date.now()
    await lock.acquire()
    expect(Date.now() - started).toBeLessThan(1000)
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({
      command: 'reanimate batch',
    })
    await lock.release()
    expect(await fs.readdir(dir)).toEqual([])
  })

  it('never removes a lock that is no longer its own', async () => {
    const file = path.join(dir, 'j.lock')
    const a = new FileLock(file, who('a'), { what: 'x' })
    await a.acquire()
    // Someone judged it stale and took it (a hung process): a's release must leave theirs alone.
    await fs.writeFile(file, JSON.stringify({ ...who('b'), token: 'theirs', since: '' }))
    await a.release()
    expect(JSON.parse(await fs.readFile(file, 'utf8'))).toMatchObject({ token: 'theirs' })
  })
})
