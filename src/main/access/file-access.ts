import path from 'node:path'
import { AppError } from '../../shared/errors'

/**
 * The files the renderer may touch: those the user chose (dialog or drop) and those the app
 * produced. Paths are normalised so `a/../b` tricks cannot widen the list. The CLI, which acts for
 * the user directly, uses `allowAll`.
 */
export class FileAccess {
  private readonly allowed = new Set<string>()

  constructor(private readonly allowAll = false) {}

  private key(p: string): string {
    const resolved = path.resolve(p)
    return process.platform === 'win32' || process.platform === 'darwin'
      ? resolved.toLowerCase()
      : resolved
  }

  grant(p: string): string {
    const resolved = path.resolve(p)
    this.allowed.add(this.key(resolved))
    return resolved
  }

  isAllowed(p: string): boolean {
    if (!path.isAbsolute(p)) return false
    return this.allowAll || this.allowed.has(this.key(p))
  }

  /** Throws a `forbidden` error naming the file when the renderer has no right to it. */
  check(p: string): string {
    if (!this.isAllowed(p)) {
      throw new AppError(
        'forbidden',
        `${path.basename(p)}: not a file you opened in Reanimate. Add it first.`,
        { file: p },
      )
    }
    return path.resolve(p)
  }
}
