import { describe, expect, it } from 'vitest'
import {
  skippedNotice,
  walkDropped,
  type DroppedEntry,
  type DroppedFileEntry,
  type DroppedFolderEntry,
} from './dropped-entries'

/** A tree as the browser hands it over: folders read in batches of at most `batch` entries. */
type Tree = { [name: string]: Tree | string }

function entry(name: string, node: Tree | string, parent = '', batch = 2): DroppedEntry {
  const fullPath = `${parent}/${name}`
  if (typeof node === 'string') {
    const file: DroppedFileEntry = {
      name,
      fullPath,
      isFile: true,
      isDirectory: false,
      file: (done, fail) =>
        node === 'unreadable'
          ? fail?.(new Error('NotReadableError'))
          : done(new File([node], name)),
    }
    return file
  }
  const folder: DroppedFolderEntry = {
    name,
    fullPath,
    isFile: false,
    isDirectory: true,
    createReader() {
      // Out of name order, as a file system may list them.
      const left = Object.entries(node)
        .reverse()
        .map(([n, child]) => entry(n, child, fullPath, batch))
      return { readEntries: (done) => setTimeout(() => done(left.splice(0, batch))) }
    },
  }
  return folder
}

describe('walkDropped', () => {
  it('takes every video under a dropped folder, in name order, across many read batches', async () => {
    const holiday = entry('holiday', {
      'b.mp4': 'b',
      'A.MOV': 'a',
      'notes.txt': 'n',
      '.hidden.mp4': 'h',
      'Thumbs.db': 't',
      'day 2': { 'c.webm': 'c', 'cover.jpg': 'j', '.cache': { 'd.mp4': 'd' } },
    })
    const out = await walkDropped([holiday])
    expect(out.files.map((f) => f.path)).toEqual([
      'holiday/A.MOV',
      'holiday/b.mp4',
      'holiday/day 2/c.webm',
    ])
    expect(await out.files[2]?.file.text()).toBe('c')
    expect(out.skipped).toEqual(['holiday/day 2/cover.jpg', 'holiday/notes.txt'])
    expect(out.problems).toEqual([])
  })

  it('a file dropped on its own is taken whatever its kind; reading it says what it is', async () => {
    const out = await walkDropped([entry('readme.txt', 'r'), entry('.clip.mp4', 'x')])
    expect(out.files.map((f) => f.path)).toEqual(['readme.txt', '.clip.mp4'])
    expect(out.skipped).toEqual([])
  })

  it('names a file or folder the browser cannot read, and goes on with the rest', async () => {
    const broken: DroppedFolderEntry = {
      name: 'locked',
      fullPath: '/locked',
      isFile: false,
      isDirectory: true,
      createReader: () => ({ readEntries: (_done, fail) => fail?.(new Error('NotFoundError')) }),
    }
    const out = await walkDropped([broken, entry('clips', { 'x.mp4': 'unreadable', 'y.mp4': 'y' })])
    expect(out.files.map((f) => f.path)).toEqual(['clips/y.mp4'])
    expect(out.problems).toEqual([
      'locked: the browser could not read this folder (NotFoundError)',
      'clips/x.mp4: the browser could not read this file (NotReadableError)',
    ])
  })
})

describe('skippedNotice', () => {
  it('says nothing when nothing was skipped, names a few, and counts the rest', () => {
    expect(skippedNotice([])).toBeNull()
    expect(skippedNotice(['a/notes.txt'])).toBe('Skipped 1 file that is not a video: a/notes.txt.')
    expect(skippedNotice(['1', '2', '3'], 30, 2)).toBe(
      'Skipped 30 files that are not videos: 1, 2 and 28 more.',
    )
  })
})
