import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { csvCell } from './csv'
import { summaryCsv, writeSummary } from './batch'

/** RFC 4180 reader, the way a spreadsheet splits the file before it looks at any cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"'
        i++
      } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      row.push(cell)
      cell = ''
    } else if (ch === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
    } else cell += ch
  }
  if (cell !== '' || row.length) rows.push([...row, cell])
  return rows
}

describe('csvCell', () => {
  it('leaves plain cells alone', () => {
    expect(csvCell('clip 1.mp4')).toBe('clip 1.mp4')
    expect(csvCell('day 2/clip-1.reanimate.mp4')).toBe('day 2/clip-1.reanimate.mp4')
    expect(csvCell('a=b+c-d@e')).toBe('a=b+c-d@e') // formula characters later in the cell are fine
    expect(csvCell('')).toBe('')
    expect(csvCell(undefined)).toBe('')
  })

  it('quotes cells holding a quote, a comma or a line break', () => {
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"')
  })

  it.each([
    ['=1+1', `"'=1+1"`],
    ['+1', `"'+1"`],
    ['-1', `"'-1"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\t=1', `"'\t=1"`],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://x")-clip.mp4', `"'=HYPERLINK(""http://x"")-clip.mp4"`],
    ['=cmd|" /C calc"!A0', `"'=cmd|"" /C calc""!A0"`],
  ])('neutralises the formula %j as %s', (raw, cell) => {
    expect(csvCell(raw)).toBe(cell)
    // Read back, it is the original text behind a leading apostrophe: text, not a formula.
    expect(parseCsv(`${cell}\n`)).toEqual([[`'${raw}`]])
  })
})

describe('batch summary CSV', () => {
  let dir: string
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'reanimate-csv-'))
  })
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true })
  })

  it('writes a file named like a formula as text, in every column that names it', async () => {
    const evil = '=HYPERLINK("http://x")-clip.mp4'
    const rows = [
      {
        source: evil,
        status: 'succeeded' as const,
        output: '=HYPERLINK("http://x")-clip.reanimate.mp4',
        requestId: '-req-1',
        note: '@rendered',
      },
      { source: 'ok.mp4', status: 'failed' as const, error: 'cannot read ok.mp4: bad, really' },
    ]
    const files = await writeSummary(dir, { rows })
    const text = await fs.readFile(files.csv, 'utf8')
    expect(text).toBe(summaryCsv(rows))
    const parsed = parseCsv(text)
    expect(parsed).toEqual([
      ['source', 'status', 'output', 'error', 'request_id', 'note'],
      [
        `'${evil}`,
        'succeeded',
        `'=HYPERLINK("http://x")-clip.reanimate.mp4`,
        '',
        "'-req-1",
        "'@rendered",
      ],
      ['ok.mp4', 'failed', '', 'cannot read ok.mp4: bad, really', '', ''],
    ])
    // No cell a spreadsheet would evaluate.
    for (const cell of parsed.flat()) expect(cell).not.toMatch(/^[=+\-@\t\r]/)
    // The JSON summary keeps the real name: only the CSV view is escaped.
    const json = JSON.parse(await fs.readFile(files.json, 'utf8')) as { rows: { source: string }[] }
    expect(json.rows[0]?.source).toBe(evil)
  })
})
