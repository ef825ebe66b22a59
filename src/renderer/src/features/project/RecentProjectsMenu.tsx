import { useEffect, useRef, useState } from 'react'
import type { RecentProject } from '@shared/contract'
import { getBridge } from '../../bridge'
import { useApp } from '../../stores/app-store'
import { openRecentProject, projectName } from './project-session'

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * "Open recent" in the toolbar: the projects main remembers the user opened or saved, newest
 * first. One moved or deleted since is listed as missing and cannot be chosen.
 */
export function RecentProjectsMenu() {
  const [open, setOpen] = useState(false)
  const [projects, setProjects] = useState<RecentProject[] | null>(null)
  const box = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    const onDown = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false)
    }
    window.addEventListener('keydown', onKey)
    window.addEventListener('mousedown', onDown)
    return () => {
      window.removeEventListener('keydown', onKey)
      window.removeEventListener('mousedown', onDown)
    }
  }, [open])

  async function toggle() {
    if (open) {
      setOpen(false)
      return
    }
    setProjects(null)
    setOpen(true)
    try {
      setProjects((await getBridge().project.recent({})).projects)
    } catch (err) {
      setProjects([])
      useApp.getState().notify('error', errorText(err))
    }
  }

  return (
    <div className="menu" ref={box}>
      <button className="ghost" aria-expanded={open} onClick={() => void toggle()}>
        Open recent ▾
      </button>
      {open && (
        <ul className="menu-list" aria-label="Recent projects">
          {projects === null && <li className="muted">Loading…</li>}
          {projects?.length === 0 && <li className="muted">No recent projects yet.</li>}
          {projects?.map((p) => (
            <li key={p.path}>
              <button
                className="ghost"
                disabled={p.missing}
                title={p.missing ? `${p.path}: moved or deleted` : p.path}
                onClick={() => {
                  setOpen(false)
                  void openRecentProject(p.path)
                }}
              >
                {projectName(p.path)}
                {p.missing ? ' (missing)' : ''}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
