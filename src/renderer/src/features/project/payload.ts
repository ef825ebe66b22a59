import type { ProjectPayload } from '@shared/contract'
import type { ClipDoc } from '@shared/project/clip'
import type { ProjectDoc } from './project-store'

/** The document as a project file holds it (no ids), with the view to restore. */
export function toPayload(
  doc: Pick<ProjectDoc, 'clips'>,
  view: ProjectPayload['view'],
): ProjectPayload {
  return {
    // Everything but the id; the optional fields only when they say something, so a file stays
    // as it was before they existed (a locked seed, hard cuts).
    clips: doc.clips.map(({ id: _, crossfadeFrames, seedLocked, ...clip }) => ({
      ...clip,
      ...(crossfadeFrames ? { crossfadeFrames } : {}),
      ...(seedLocked === false ? { seedLocked } : {}),
    })),
    ...(view ? { view } : {}),
  }
}

let loaded = 0
/** Clips from a project file, each with an id of its own. */
export function fromPayload(project: ProjectPayload): ClipDoc[] {
  return project.clips.map((c, i) => ({ ...c, id: `loaded-${++loaded}-${i}` }))
}
