import fs from 'node:fs'

/**
 * A test hook for crash safety. With REANIMATE_TEST_KILL_AFTER=N in its environment, a process
 * kills itself (SIGKILL: no cleanup, no finally) right after its N-th durable step: a journal
 * append, a rename into place, a removal. A test runs a render with N = 1, 2, 3… and resumes it
 * each time, which is "kill it at any instant" made deterministic. REANIMATE_TEST_KILL_LOG names a
 * file that gets one line per step, to say where each N landed. Unset (always, outside tests), this
 * is one comparison.
 */
const killAfter = Number(process.env.REANIMATE_TEST_KILL_AFTER) || 0
const stepLog = process.env.REANIMATE_TEST_KILL_LOG
let steps = 0

export function durableStep(what: string): void {
  if (!killAfter) return
  steps += 1
  if (stepLog) fs.appendFileSync(stepLog, `${steps} ${what}\n`)
  if (steps === killAfter) process.kill(process.pid, 'SIGKILL')
}
