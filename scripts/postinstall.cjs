// Electron >= 42 downloads its binary lazily, and electron-vite's dev/preview need it present
// (node_modules/electron/path.txt). Fetch it right after install so `npm install && npm run dev`
// works on a fresh machine. `npm ci --ignore-scripts` (offline CI) skips this script entirely.
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

// Electron 45 and its tools declare Node 22.12+ (the EBADENGINE warnings npm printed above).
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12))
  console.warn(
    `Node ${process.versions.node}: the CLI, \`npx reanimate ui\` and the tests run here; the EBADENGINE warnings above are about Electron's tooling, which builds installers only on Node 22.12+.`,
  )

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) process.exit(0)
let electronDir
try {
  electronDir = path.dirname(require.resolve('electron/package.json'))
} catch {
  process.exit(0) // production install without devDependencies
}
if (fs.existsSync(path.join(electronDir, 'path.txt'))) process.exit(0)
const result = spawnSync(process.execPath, [path.join(electronDir, 'install.js')], {
  stdio: 'inherit',
})
if (result.status !== 0) {
  console.warn(
    'Could not download Electron. `npm run dev` needs it; the CLI and tests do not. See README, "Offline installs".',
  )
}
