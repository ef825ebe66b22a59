import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppendLog, type AppendLogSpec } from './append-log'
import { FileLock } from './file-lock'

/** A tiny state for the tests: counters by name; a record sets one. */
type Counters = Map<string, number>
interface Rec {
  k: string
  v: number
}
const spec: AppendLogSpec<Counters, Rec> = {
  name: 'counters',
  version: 1,
  empty: () => new Map(),
  apply: (s, r) => void s.set(r.k, r.v),
  toSnapshot: (s) => Object.fromEntries(s),
  fromSnapshot: (d) =>
    d && typeof d === 'object' ? new Map(Object.entries(d as Record<string, number>)) : null,
}

let dir: string
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-log-'))
})
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true })
})

let n = 0
function open(compactMinBytes = 1 << 20) {
  const lock = new FileLock(
    path.join(dir, 'counters.lock'),
    { pid: process.pid, host: os.hostname(), command: `test ${++n}`, startedAt: '' },
    { what: 'test' },
  )
  return new AppendLog(dir, spec, lock, { compactMinBytes })
}

/** Adds one to counter `k`, deciding on the latest state under the lock. */
const bump = (log: AppendLog<Counters, Rec>, k: string) =>
  log.transact((s) => ({ records: [{ k, v: (s.get(k) ?? 0) + 1 }], result: undefined }))

describe('AppendLog', () => {
  it('two writers on one folder never lose each other’s changes', async () => {
    const a = open()
    const b = open()
    await a.open()
    await b.open()
    await Promise.all([
      (async () => {
        for (let i = 0; i < 40; i++) await bump(a, 'shared')
      })(),
      (async () => {
        for (let i = 0; i < 40; i++) await bump(b, 'shared')
      })(),
    ])
    const c = open()
    await c.open()
    expect(c.state.get('shared')).toBe(80)
    // A reader without the lock catches up with what the other wrote.
    await a.refresh()
    expect(a.state.get('shared')).toBe(80)
  })

  it('skips a line cut off by a crash and never glues the next record to it', async () => {
    const a = open()
    await a.open()
    await bump(a, 'x')
    await bump(a, 'x')
    // A writer killed mid-line: half a record, no newline.
    await fs.appendFile(path.join(dir, 'counters.0.log'), '{"k":"x","v":9')
    const b = open()
    await b.open()
    expect(b.state.get('x')).toBe(2)
    await bump(b, 'x')
    const c = open()
    await c.open()
    expect(c.state.get('x')).toBe(3)
    expect(b.stats.damagedLines).toBe(1)
  })

  it('folds the log into snapshots as it grows, and a reader two generations behind catches up', async () => {
    const writer = open(2000)
    const reader = open(2000)
    await writer.open()
    await reader.open()
    for (let i = 0; i < 400; i++) await bump(writer, `k${i % 50}`)
    expect(writer.stats.compactions).toBeGreaterThanOrEqual(2)
    const logs = (await fs.readdir(dir)).filter((f) => f.endsWith('.log'))
    // Only the current generation and the one before it are kept.
    expect(logs.length).toBeLessThanOrEqual(2)
    const { reloaded } = await reader.refresh()
    expect(reloaded).toBe(true)
    expect([...reader.state.values()].reduce((x, y) => x + y, 0)).toBe(400)
    const fresh = open()
    await fresh.open()
    expect(fresh.state).toEqual(writer.state)
  })

  it('survives a damaged snapshot from the previous one and the logs', async () => {
    const a = open(2000)
    await a.open()
    for (let i = 0; i < 200; i++) await bump(a, `k${i % 20}`)
    expect(a.stats.compactions).toBeGreaterThanOrEqual(1)
    await fs.writeFile(path.join(dir, 'counters.snapshot.json'), '{"format":"reanim')
    const b = open(2000)
    await b.open()
    expect(b.state).toEqual(a.state)
  })

  it('a change costs its own line, not a rewrite of the whole state', async () => {
    const a = open()
    await a.open()
    for (let i = 0; i < 2000; i++)
      await a.transact(() => ({ records: [{ k: `k${i}`, v: i }], result: 0 }))
    const before = a.stats.bytesWritten
    await bump(a, 'k5')
    const line = JSON.stringify({ k: 'k5', v: 6 }).length + 1
    expect(a.stats.bytesWritten - before).toBe(line)
  })
})
