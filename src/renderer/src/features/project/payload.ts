import type { ProjectPayload } from '@shared/contract'
import type { ClipDoc } from '@shared/project/clip'
import type { ProjectDoc } from './project-store'

/** The document as a project file holds it (no ids), with the view to restore. */
export function toPayload(
  doc: Pick<ProjectDoc, 'clips'>,
  view: ProjectPayload['view'],
): ProjectPayload {
  return {
    clips: doc.clips.map(
      ({
        path,
        in: from,
        out,
        endpoint,
        params,
        segments,
        crossfadeFrames,
        takes,
        seedLocked,
      }) => ({
        path,
        in: from,
        out,
        endpoint,
        params,
        segments,
        ...(crossfadeFrames ? { crossfadeFrames } : {}),
        takes,
        // Written only when unlocked: a locked clip's file stays as before the lock existed.
        ...(seedLocked === false ? { seedLocked } : {}),
      }),
    ),
    ...(view ? { view } : {}),
  }
}

let loaded = 0
/** Clips from a project file, each with an id of its own. */
export function fromPayload(project: ProjectPayload): ClipDoc[] {
  return project.clips.map((c, i) => ({ ...c, id: `loaded-${++loaded}-${i}` }))
}
