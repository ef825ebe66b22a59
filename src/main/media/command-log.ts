/** Quotes one argument for a POSIX shell so a user can paste the line and get the same result. */
export function shellQuote(arg: string): string {
  if (arg === '') return "''"
  if (/^[A-Za-z0-9_\-+=:,./@%^]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'\\''`)}'`
}

export function commandLine(bin: string, args: readonly string[]): string {
  return [bin, ...args].map(shellQuote).join(' ')
}

import type { CommandRecord } from '../../shared/commands'

export type { CommandRecord }

/** The last N ffmpeg/ffprobe command lines run, so the app can show and copy them. */
export class CommandLog {
  private records: CommandRecord[] = []
  private nextId = 1

  constructor(
    private readonly limit = 200,
    private readonly onRecord?: (record: CommandRecord) => void,
  ) {}

  start(purpose: string, bin: string, args: readonly string[]): CommandRecord {
    const record: CommandRecord = {
      id: this.nextId++,
      purpose,
      commandLine: commandLine(bin, args),
      startedAt: new Date().toISOString(),
    }
    this.records.push(record)
    if (this.records.length > this.limit) this.records.shift()
    this.onRecord?.(record)
    return record
  }

  finish(
    record: CommandRecord,
    outcome: NonNullable<CommandRecord['outcome']>,
    exitCode: number | null,
    durationMs: number,
  ): void {
    record.outcome = outcome
    record.exitCode = exitCode
    record.durationMs = durationMs
    this.onRecord?.(record)
  }

  list(): CommandRecord[] {
    return [...this.records]
  }
}
