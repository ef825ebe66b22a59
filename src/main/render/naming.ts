import path from 'node:path'
import { applyNameTemplate } from '../../shared/name-template'

export const RESULT_SUFFIX = '.reanimate'

/**
 * `clip.mov` → `clip.reanimate.mp4`, then `clip.reanimate (2).mp4`, `(3)`... — the first name for
 * which `taken` is false. Pure: the caller says which names exist.
 */
export function freeOutputName(
  dir: string,
  stem: string,
  ext: string,
  taken: (candidate: string) => boolean,
): string {
  for (let n = 1; n < 10_000; n++) {
    const candidate = path.join(dir, `${stem}${RESULT_SUFFIX}${n === 1 ? '' : ` (${n})`}${ext}`)
    if (!taken(candidate)) return candidate
  }
  throw new Error(`no free output name for ${stem} in ${dir}`)
}

/** Where `run` writes when no --out is given: beside the source, never over it. */
export function defaultOutputFor(source: string, taken: (candidate: string) => boolean): string {
  const stem = path.basename(source, path.extname(source))
  return freeOutputName(path.dirname(source), stem, '.mp4', (c) => c === source || taken(c))
}

/** `a/clip.reanimate.mp4`, 3 → `a/clip.reanimate (3).mp4`; an existing ` (k)` is replaced, 1 drops it. */
export function numberedName(file: string, n: number): string {
  const ext = path.extname(file)
  const base = file.slice(0, file.length - ext.length).replace(/ \(\d+\)$/, '')
  return n <= 1 ? `${base}${ext}` : `${base} (${n})${ext}`
}

/**
 * Where the window's render goes: `dir` (default: beside the source), named by `template` with
 * `{stem}` the source's name; ` (2)`, ` (3)`... when the name is taken, never the source itself.
 */
export function templatedOutputFor(
  source: string,
  dir: string | undefined,
  template: string,
  taken: (candidate: string) => boolean,
): string {
  const stem = path.basename(source, path.extname(source))
  const name = applyNameTemplate(template, stem)
  const folder = dir ?? path.dirname(source)
  for (let n = 1; n < 10_000; n++) {
    const candidate = path.join(folder, `${name}${n === 1 ? '' : ` (${n})`}.mp4`)
    if (candidate !== source && !taken(candidate)) return candidate
  }
  throw new Error(`no free output name for ${stem} in ${folder}`)
}
