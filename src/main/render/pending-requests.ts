import fs from 'node:fs/promises'
import path from 'node:path'
import { writeJsonAtomic } from '../storage/json-file'

export interface PendingRequest {
  requestId: string
  endpoint: string
  submittedAt: string
}

/**
 * Request ids of submitted renders that have not been collected yet, keyed by what was asked
 * (prepared bytes + endpoint + parameters). Written before anything else happens after a submit,
 * so a crash or a lost connection never leads to paying for the same render twice: the next run
 * with the same inputs re-attaches instead of submitting.
 */
export class PendingRequests {
  private chain: Promise<unknown> = Promise.resolve()

  constructor(private readonly file: string) {}

  private async read(): Promise<Record<string, PendingRequest>> {
    try {
      const raw = JSON.parse(await fs.readFile(this.file, 'utf8')) as {
        pending?: Record<string, PendingRequest>
      }
      return raw.pending ?? {}
    } catch {
      return {}
    }
  }

  private update(
    change: (pending: Record<string, PendingRequest>) => Record<string, PendingRequest>,
  ): Promise<void> {
    const next = this.chain.then(async () => {
      const pending = change(await this.read())
      await fs.mkdir(path.dirname(this.file), { recursive: true })
      await writeJsonAtomic(this.file, { version: 1, pending })
    })
    this.chain = next.catch(() => undefined)
    return next
  }

  async get(key: string): Promise<PendingRequest | undefined> {
    await this.chain
    return (await this.read())[key]
  }

  set(key: string, value: PendingRequest): Promise<void> {
    return this.update((p) => ({ ...p, [key]: value }))
  }

  delete(key: string): Promise<void> {
    return this.update(({ [key]: _gone, ...rest }) => rest)
  }
}
