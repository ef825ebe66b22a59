// Runs @doyensec/electronegativity on src and fails on any MEDIUM/HIGH finding that is not
// reviewed in security/electronegativity-accepted.json (each accepted one carries its reason).
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const electronVersion = require(path.join(root, 'node_modules/electron/package.json')).version
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'eneg-')), 'report.csv')
const bin = path.join(root, 'node_modules/.bin/electronegativity')
// -e stops it from looking up Electron releases online (this tool must work offline).
const run = spawnSync(
  bin,
  [
    '-i',
    path.join(root, 'src'),
    '-r',
    '-e',
    electronVersion,
    '-s',
    'medium',
    '-o',
    out,
    '-v',
    'false',
  ],
  {
    encoding: 'utf8',
    timeout: 180_000,
  },
)
if (!fs.existsSync(out)) {
  console.error(run.stdout, run.stderr)
  console.error('electronegativity produced no report')
  process.exit(1)
}

function parseCsvLine(line) {
  const cells = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"'
        i++
      } else if (ch === '"') quoted = false
      else cur += ch
    } else if (ch === '"') quoted = true
    else if (ch === ',') {
      cells.push(cur.trim())
      cur = ''
    } else cur += ch
  }
  cells.push(cur.trim())
  return cells
}

const accepted = JSON.parse(
  fs.readFileSync(path.join(root, 'security/electronegativity-accepted.json'), 'utf8'),
).accepted
const rows = fs.readFileSync(out, 'utf8').split('\n').slice(1).filter(Boolean).map(parseCsvLine)
const findings = rows
  .map(([check, severity, confidence, file, location]) => ({
    check,
    severity,
    confidence,
    file,
    location,
  }))
  .filter((f) => f.severity === 'HIGH' || f.severity === 'MEDIUM')
const open = findings.filter((f) => !accepted.some((a) => a.check === f.check && a.file === f.file))
console.log(
  `electronegativity (Electron ${electronVersion}): ${findings.length} medium/high findings, ${findings.length - open.length} reviewed, ${open.length} open`,
)
for (const f of open) console.error(`  ${f.severity} ${f.check} ${f.file}:${f.location}`)
process.exit(open.length ? 1 : 0)
