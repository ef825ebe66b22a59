import { describe, expect, it } from 'vitest'
import { typedFolder } from './path-bar'

describe('typedFolder', () => {
  it('keeps a full path or ~ as typed, trimmed', () => {
    expect(typedFolder(' /media/clips ', '/home/ana')).toBe('/media/clips')
    expect(typedFolder('~', '/home/ana/x')).toBe('~')
    expect(typedFolder('~/Videos', '/srv')).toBe('~/Videos')
    expect(typedFolder('D:\\shoot', 'C:\\Users\\ana')).toBe('D:\\shoot')
    expect(typedFolder('\\\\nas\\clips', 'C:\\Users\\ana')).toBe('\\\\nas\\clips')
  })

  it('takes a name without a root inside the folder shown, with its separator', () => {
    expect(typedFolder('day 2', '/home/ana')).toBe('/home/ana/day 2')
    expect(typedFolder('../other', '/home/ana/x')).toBe('/home/ana/x/../other')
    expect(typedFolder('day 2', '/')).toBe('/day 2')
    expect(typedFolder('day 2', 'C:\\Users\\ana')).toBe('C:\\Users\\ana\\day 2')
    expect(typedFolder('day 2', 'C:\\')).toBe('C:\\day 2')
    // ~ only at the start of a name means home: "~old" is a folder's name.
    expect(typedFolder('~old', '/home/ana')).toBe('/home/ana/~old')
  })

  it('is undefined for an empty bar, and leaves a relative name alone when nothing is shown', () => {
    expect(typedFolder('  ', '/home/ana')).toBeUndefined()
    expect(typedFolder('clips', undefined)).toBe('clips')
  })
})
