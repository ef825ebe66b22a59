import { describe, expect, it } from 'vitest'
import { CrashPolicy } from './renderer-crash'

describe('CrashPolicy', () => {
  it('ignores a clean exit', () => {
    expect(new CrashPolicy().next('clean-exit', 0)).toBe('ignore')
  })

  it('reloads after a crash, an OOM or a kill', () => {
    const policy = new CrashPolicy(3, 60_000)
    expect(policy.next('crashed', 0)).toBe('reload')
    expect(policy.next('oom', 1_000)).toBe('reload')
    expect(policy.next('killed', 2_000)).toBe('reload')
  })

  it('gives up on a page that keeps crashing, and forgives old crashes', () => {
    const policy = new CrashPolicy(2, 60_000)
    expect(policy.next('crashed', 0)).toBe('reload')
    expect(policy.next('crashed', 10_000)).toBe('reload')
    expect(policy.next('crashed', 20_000)).toBe('give-up')
    // A minute on, the first two no longer count.
    expect(policy.next('crashed', 75_000)).toBe('reload')
  })
})
