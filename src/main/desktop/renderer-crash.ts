/** What to do when the window's page process goes away. */
export type CrashAction = 'reload' | 'give-up' | 'ignore'

/**
 * Reloads a crashed page (it restores the project from the autosave on load), but not forever: a
 * page that dies again and again on load would spin. `clean-exit` is the page closing normally.
 */
export class CrashPolicy {
  private readonly recent: number[] = []

  constructor(
    private readonly limit = 3,
    private readonly withinMs = 60_000,
  ) {}

  next(reason: string, now: number): CrashAction {
    if (reason === 'clean-exit') return 'ignore'
    while (this.recent.length && now - (this.recent[0] ?? now) > this.withinMs) this.recent.shift()
    this.recent.push(now)
    return this.recent.length > this.limit ? 'give-up' : 'reload'
  }
}
