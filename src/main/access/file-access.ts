import fs from 'node:fs'
import path from 'node:path'
import { AppError } from '../../shared/errors'

/** One file the renderer may touch: where it really is, and which file it was when granted. */
interface Grant {
  real: string
  /** `dev:ino` when granted; null for a path that did not exist then. */
  identity: string | null
  /** Grants that last only while something holds (a finished output while its job is listed). */
  live?: () => boolean
}

type Verdict = { ok: true; path: string; real: string | null } | { ok: false; changed: boolean }

const NO_FOLLOW = fs.constants.O_NOFOLLOW ?? 0

function identityOf(st: fs.BigIntStats): string {
  return `${st.dev}:${st.ino}`
}

/**
 * The files the renderer may touch: those the user chose (dialog or drop) and those the app
 * produced. A grant records the real path and the file's identity (device and inode), so a granted
 * name later swapped for a link or another file is refused. Paths are normalised so `a/../b` tricks
 * cannot widen the list. The CLI, which acts for the user directly, uses `allowAll`.
 */
export class FileAccess {
  private readonly grants = new Map<string, Grant>()

  constructor(private readonly allowAll = false) {}

  private key(p: string): string {
    return process.platform === 'win32' || process.platform === 'darwin' ? p.toLowerCase() : p
  }

  private add(p: string, produced: boolean, live?: () => boolean): string {
    const resolved = path.resolve(p)
    let real = resolved
    let identity: string | null = null
    try {
      // What the app made must be a plain file at that name; a link there is someone else's doing.
      if (produced && fs.lstatSync(resolved).isSymbolicLink())
        throw new AppError('forbidden', `${path.basename(p)}: is a link, not a file Reanimate made`)
      real = fs.realpathSync.native(resolved)
      identity = identityOf(fs.statSync(real, { bigint: true }))
    } catch (err) {
      if (err instanceof AppError) throw err
      // Not there (yet): granted by name only; a file appearing there later is not this grant.
    }
    const grant: Grant = { real, identity, ...(live ? { live } : {}) }
    this.grants.set(this.key(resolved), grant)
    this.grants.set(this.key(real), grant)
    return resolved
  }

  /** A file or folder the user chose. A link the user chose is followed: its target is the grant. */
  grant(p: string): string {
    return this.add(p, false)
  }

  /**
   * A file the user chose earlier (a listed job's source, perhaps from a past session), reachable
   * only while `live` holds. A grant the user gave without condition is kept as it is, so a job
   * leaving the list never takes away a file they opened themselves.
   */
  grantWhile(p: string, live: () => boolean): string {
    const held = this.grants.get(this.key(path.resolve(p)))
    if (held && !held.live) return path.resolve(p)
    // Re-granted from a job's record, not from the user's hand now: a link placed there since
    // would point the grant at another file, so a link is refused (as for what the app made).
    return this.add(p, true, live)
  }

  /** A file the app wrote; `live` limits the grant (e.g. to while its job is in the queue). */
  grantProduced(p: string, live?: () => boolean): string {
    return this.add(p, true, live)
  }

  private verify(p: string): Verdict {
    if (!path.isAbsolute(p)) return { ok: false, changed: false }
    const resolved = path.resolve(p)
    if (this.allowAll) return { ok: true, path: resolved, real: null }
    const grant = this.grants.get(this.key(resolved))
    if (!grant) return { ok: false, changed: false }
    if (grant.live && !grant.live()) return { ok: false, changed: false }
    let real: string
    let identity: string
    try {
      real = fs.realpathSync.native(resolved)
      identity = identityOf(fs.statSync(real, { bigint: true }))
    } catch (err) {
      // Gone since: the caller's own "file not found" says so better than a refusal.
      return (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? { ok: true, path: resolved, real: null }
        : { ok: false, changed: true }
    }
    if (this.key(real) !== this.key(grant.real) || identity !== grant.identity)
      return { ok: false, changed: true }
    return { ok: true, path: resolved, real }
  }

  isAllowed(p: string): boolean {
    return this.verify(p).ok
  }

  /** Throws a `forbidden` error naming the file when the renderer has no right to it. */
  check(p: string): string {
    const verdict = this.verify(p)
    if (!verdict.ok) {
      throw new AppError(
        'forbidden',
        verdict.changed
          ? `${path.basename(p)}: changed on disk since you added it. Add it again.`
          : `${path.basename(p)}: not a file you opened in Reanimate. Add it first.`,
        { file: p },
      )
    }
    return verdict.path
  }

  /**
   * Opens a granted file for reading, refusing a link at its name (O_NOFOLLOW) and checking that the
   * file opened is the one granted, so a swap between the check and the open cannot slip through.
   * Null when the renderer has no right to it.
   */
  async open(p: string): Promise<fs.promises.FileHandle | null> {
    const verdict = this.verify(p)
    if (!verdict.ok) return null
    const target = verdict.real ?? verdict.path
    const handle = await fs.promises.open(target, fs.constants.O_RDONLY | NO_FOLLOW)
    if (!this.allowAll) {
      const grant = this.grants.get(this.key(verdict.path))
      const st = await handle.stat({ bigint: true })
      if (!grant || identityOf(st) !== grant.identity) {
        await handle.close()
        return null
      }
    }
    return handle
  }
}
