import type { BatchFinished } from './contract'

/** What the OS notification says when something finishes: the desktop app (main) and `reanimate ui` (the page) alike. */
export interface Notice {
  title: string
  body: string
}

const baseName = (p: string) => p.split(/[\\/]/).pop() ?? p

export function batchFinishedNotice(
  b: Pick<BatchFinished, 'succeeded' | 'failed' | 'outDir'>,
): Notice {
  return {
    title: 'Reanimate: batch finished',
    body: `${b.succeeded} done, ${b.failed} failed — ${b.outDir}`,
  }
}

export function renderFinishedNotice(
  status: 'done' | 'failed',
  source: string,
  output: string,
  error?: string,
): Notice {
  return status === 'done'
    ? { title: 'Reanimate: render finished', body: `${baseName(source)} → ${baseName(output)}` }
    : {
        title: 'Reanimate: render failed',
        body: `${baseName(source)}: ${error ?? 'see the queue'}`,
      }
}
