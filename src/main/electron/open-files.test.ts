import { describe, expect, it, vi } from 'vitest'
import { VIDEO_EXTENSIONS } from '../jobs/batch'
import { filesFromArgv, OpenFileQueue, pathsFromArgv, sortOpened } from './open-files'

const linux = { cwd: '/home/ana/clips', isPackaged: true, platform: 'linux' } as const
const win = { cwd: 'C:\\Users\\Ana\\Videos', isPackaged: true, platform: 'win32' } as const

describe('pathsFromArgv', () => {
  it('skips the executable and every switch, with or without a value', () => {
    expect(
      pathsFromArgv(
        [
          '/opt/Reanimate/reanimate',
          '--no-sandbox',
          '--allow-file-access-from-files',
          '--original-process-start-time=13370000',
          '-psn_0_12345',
          'a.mp4',
        ],
        linux,
      ),
    ).toEqual(['/home/ana/clips/a.mp4'])
  })

  it("skips the app's path in development (`electron .`)", () => {
    expect(
      pathsFromArgv(['/x/node_modules/electron/dist/electron', '.', 'b.mov'], {
        ...linux,
        isPackaged: false,
      }),
    ).toEqual(['/home/ana/clips/b.mov'])
  })

  it("resolves relative paths against the launch's folder and keeps absolute ones", () => {
    expect(pathsFromArgv(['app', '../x/c.mp4', '/abs/d.mkv', './e.webm'], linux)).toEqual([
      '/home/ana/x/c.mp4',
      '/abs/d.mkv',
      '/home/ana/clips/e.webm',
    ])
  })

  it('takes quoted paths with spaces, once each', () => {
    expect(
      pathsFromArgv(['app', '"my clip.mp4"', 'my clip.mp4', '/a b/My Edit.reanimate'], linux),
    ).toEqual(['/home/ana/clips/my clip.mp4', '/a b/My Edit.reanimate'])
  })

  it('reads Windows paths: drive letters, backslashes, relative to the second launch', () => {
    expect(
      pathsFromArgv(
        [
          'C:\\Program Files\\Reanimate\\Reanimate.exe',
          '--allow-file-access-from-files',
          '"D:\\Shoot day\\take 1.MOV"',
          'sub\\clip.mp4',
          'E:/edits/cut.reanimate',
        ],
        win,
      ),
    ).toEqual([
      'D:\\Shoot day\\take 1.MOV',
      'C:\\Users\\Ana\\Videos\\sub\\clip.mp4',
      'E:\\edits\\cut.reanimate',
    ])
  })
})

describe('sortOpened', () => {
  it('tells projects from videos and drops anything else', () => {
    expect(
      sortOpened(
        ['/a/Edit.REANIMATE', '/a/clip.MOV', '/a/notes.txt', '/a/folder', '/a.mp4/readme'],
        'linux',
      ),
    ).toEqual({ projects: ['/a/Edit.REANIMATE'], videos: ['/a/clip.MOV'] })
  })

  it("takes every extension of the app's one video rule", () => {
    const all = [...VIDEO_EXTENSIONS].map((e) => `/v/clip${e}`)
    expect(sortOpened(all, 'darwin').videos).toEqual(all)
  })

  it('a whole command line', () => {
    expect(
      filesFromArgv(['Reanimate.exe', '--flag', 'x.reanimate', 'y.mp4', 'z.pdf'], win),
    ).toEqual({
      projects: ['C:\\Users\\Ana\\Videos\\x.reanimate'],
      videos: ['C:\\Users\\Ana\\Videos\\y.mp4'],
    })
  })
})

describe('OpenFileQueue', () => {
  it('keeps files until there is somewhere to send them, then sends straight on', () => {
    const q = new OpenFileQueue('darwin')
    q.add(['/a/one.mp4'])
    q.add(['/a/p.reanimate', '/a/skip.txt'])
    const deliver = vi.fn()
    q.flush(deliver)
    expect(deliver).toHaveBeenCalledWith({ projects: ['/a/p.reanimate'], videos: ['/a/one.mp4'] })
    q.add(['/a/two.mov'])
    expect(deliver).toHaveBeenLastCalledWith({ projects: [], videos: ['/a/two.mov'] })
    q.add(['/a/nothing.txt'])
    expect(deliver).toHaveBeenCalledTimes(2)
  })
})
