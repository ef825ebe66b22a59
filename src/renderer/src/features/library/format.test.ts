import { describe, expect, it } from 'vitest'
import { formatBytes, formatDuration, formatFps } from './format'

describe('format', () => {
  it('formats durations with hours only when needed', () => {
    expect(formatDuration(75.5)).toBe('1:15.50')
    expect(formatDuration(3725)).toBe('1:02:05.00')
    expect(formatDuration(0)).toBe('0:00.00')
    expect(formatDuration(Number.NaN)).toBe('–')
    expect(formatDuration(-1)).toBe('–')
  })
  it('rounds frame rates to two decimals', () => {
    expect(formatFps(30000 / 1001)).toBe('29.97')
    expect(formatFps(25)).toBe('25')
    expect(formatFps(0)).toBe('–')
  })
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(250 * 1024 * 1024)).toBe('250 MB')
  })
})
