import fs from 'node:fs/promises'
import path from 'node:path'
import { isLocalLora } from '../../shared/endpoints'
import type { RecentLora, RecentProject } from '../../shared/contract'

const isFile = async (p: string) => (await fs.stat(p).catch(() => null))?.isFile() ?? false

/**
 * The LoRAs a render request names (the clip's, then each segment's), each once, in order: URLs as
 * given, local files as the absolute path main checked. Anything not shaped like a LoRA list is
 * left out (the render that used them has validated them already).
 */
export function lorasUsed(paramSets: readonly unknown[]): string[] {
  const seen: string[] = []
  for (const params of paramSets) {
    const loras = (params as { loras?: unknown } | null)?.loras
    if (!Array.isArray(loras)) continue
    for (const lora of loras) {
      const given = (lora as { path?: unknown } | null)?.path
      if (typeof given !== 'string' || !given.trim()) continue
      const p = given.trim()
      const entry = isLocalLora(p) ? path.resolve(p) : p
      if (!seen.includes(entry)) seen.push(entry)
    }
  }
  return seen
}

/** Main's recent LoRAs as the window sees them: local files that are gone marked missing. */
export async function describeRecentLoras(list: readonly string[]): Promise<RecentLora[]> {
  return Promise.all(
    list.map(async (p) => {
      const local = isLocalLora(p)
      return { path: p, local, missing: local && !(await isFile(p)) }
    }),
  )
}

/** Main's recent projects, a moved or deleted one marked missing (shown, not opened). */
export async function describeRecentProjects(list: readonly string[]): Promise<RecentProject[]> {
  return Promise.all(list.map(async (p) => ({ path: p, missing: !(await isFile(p)) })))
}
