import type { ReanimateBridge } from '@shared/contract/client'
import type { Job } from '@shared/jobs'
import { batchFinishedNotice, renderFinishedNotice, type Notice } from '@shared/notices'

/**
 * `reanimate ui`: the OS notifications the desktop app shows from main, through the page's
 * Notification API. Only when the user allowed them, and only while they are looking elsewhere.
 */

const api = (): typeof Notification | undefined =>
  typeof Notification === 'undefined' ? undefined : Notification

/**
 * Asked on the user's own click (Render, Batch), as browsers require, and only in a browser tab:
 * the desktop window is denied every permission and notifies from main.
 */
export function askToNotify(inBrowser: boolean): void {
  const N = inBrowser ? api() : undefined
  if (N?.permission === 'default') void N.requestPermission().catch(() => undefined)
}

function show(notice: Notice): void {
  const N = api()
  if (!N || N.permission !== 'granted' || !document.hidden) return
  new N(notice.title, { body: notice.body })
}

/**
 * Notifies finished renders the window started one by one (a batch gets one notice of its own),
 * looking each up in `jobs`. Returns the unsubscribe.
 */
export function notifyWhenFinished(
  bridge: Pick<ReanimateBridge, 'on'>,
  jobs: () => readonly Job[],
): () => void {
  const told = new Set<string>()
  const offProgress = bridge.on('jobs.progress', (p) => {
    if ((p.status !== 'done' && p.status !== 'failed') || p.batchId || told.has(p.id)) return
    const job = jobs().find((j) => j.id === p.id)
    if (!job || job.parentId) return
    told.add(p.id)
    show(renderFinishedNotice(p.status, job.spec.source, job.spec.output, p.error?.message))
  })
  const offBatch = bridge.on('batch.finished', (b) => show(batchFinishedNotice(b)))
  return () => {
    offProgress()
    offBatch()
  }
}
