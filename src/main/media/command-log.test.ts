import { describe, expect, it } from 'vitest'
import { CommandLog, commandLine, shellQuote } from './command-log'

describe('command lines a user can paste', () => {
  it('quotes only what a shell would misread', () => {
    expect(shellQuote('-c:v')).toBe('-c:v')
    expect(shellQuote('/tmp/My Clip.mp4')).toBe("'/tmp/My Clip.mp4'")
    expect(shellQuote("it's")).toBe("'it'\\''s'")
    expect(shellQuote('fps=30,scale=768:432')).toBe('fps=30,scale=768:432')
    expect(shellQuote('[0:v]null[out]')).toBe("'[0:v]null[out]'")
    expect(shellQuote('')).toBe("''")
    expect(commandLine('/usr/bin/ffmpeg', ['-i', 'a b.mp4'])).toBe("/usr/bin/ffmpeg -i 'a b.mp4'")
  })

  it('keeps the last N records and reports each change', () => {
    const seen: string[] = []
    const log = new CommandLog(2, (r) => seen.push(`${r.id}:${r.outcome ?? 'running'}`))
    const a = log.start('one', 'ffmpeg', ['-i', 'a'])
    log.start('two', 'ffmpeg', [])
    log.finish(a, 'ok', 0, 12)
    log.start('three', 'ffmpeg', [])
    expect(log.list().map((r) => r.purpose)).toEqual(['two', 'three'])
    expect(seen).toEqual(['1:running', '2:running', '1:ok', '3:running'])
  })
})
