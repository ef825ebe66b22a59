#!/usr/bin/env node
// The built Electron app must never contain the local web server (the WebSocket bridge behind
// `reanimate ui`): a server inside the desktop app would be a door no window needs. Run after
// `electron-vite build`; exits 1 naming the file and the marker found.
const fs = require('node:fs')
const path = require('node:path')

/** Strings that survive bundling and minification: the server's own words and library names. */
const SERVER_MARKERS = [
  'WebSocketServer',
  'reanimate_token_',
  'Open the address reanimate printed',
  'handleUpgrade',
]

function findServer(dir) {
  const hits = []
  if (!fs.existsSync(dir)) return hits
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(c|m)?js$/.test(entry.name)) continue
    const file = path.join(entry.parentPath, entry.name)
    const text = fs.readFileSync(file, 'utf8')
    for (const marker of SERVER_MARKERS) if (text.includes(marker)) hits.push({ file, marker })
  }
  return hits
}

module.exports = { findServer, SERVER_MARKERS }

if (require.main === module) {
  const dir = path.resolve(process.argv[2] ?? 'out/main')
  if (!fs.existsSync(dir)) {
    console.error(`check-bundles: ${dir} does not exist; run the build first`)
    process.exit(1)
  }
  const hits = findServer(dir)
  for (const h of hits) console.error(`check-bundles: ${h.file} contains "${h.marker}"`)
  if (hits.length) {
    console.error('The desktop app must not contain the local server (src/main/transport).')
    process.exit(1)
  }
  console.log(`check-bundles: ${path.relative(process.cwd(), dir)} holds no local server`)
}
