/**
 * `npm run bench`: one run of every benchmark into a fresh bench/results.json, then the table.
 * Arguments go to vitest, e.g. `npm run bench -- bench/media.bench.ts` runs one file; a partial
 * run keeps the other entries of the last full run.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { RESULTS_FILE, type BenchEntry } from './results'
import { benchTable, missingFigures } from './table'

const only = process.argv.slice(2)
if (only.length === 0) fs.rmSync(RESULTS_FILE, { force: true })
const vitest = spawnSync('npx', ['vitest', 'run', '--project', 'bench', ...only], {
  stdio: 'inherit',
})
const entries = fs.existsSync(RESULTS_FILE)
  ? (JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as { entries: BenchEntry[] }).entries
  : []
process.stdout.write(`\n${benchTable(entries)}\n\nwritten to ${RESULTS_FILE}\n`)
const missing = missingFigures(entries)
if (missing.length > 0) process.stdout.write(`missing from this run: ${missing.join(', ')}\n`)
process.exit(vitest.status ?? 1)
