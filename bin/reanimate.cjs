#!/usr/bin/env node
// `npx reanimate …` right after `npm install`, in a checkout: builds the CLI and the window into
// out/ when they are missing or older than the sources (a few seconds), then runs the CLI.
// An installed package ships out/ without src/ and runs it as is.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const cli = path.join(root, 'out/cli/reanimate.cjs')
const built = [cli, path.join(root, 'out/renderer/index.html')]
const sources = ['src', 'package.json', 'electron.vite.config.ts', 'vite.cli.config.mts']

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false })
  if (!st) return 0
  if (!st.isDirectory()) return st.mtimeMs
  let max = st.mtimeMs
  for (const name of fs.readdirSync(p)) max = Math.max(max, newest(path.join(p, name)))
  return max
}

function stale() {
  if (!fs.existsSync(path.join(root, 'src'))) return false
  const oldest = Math.min(
    ...built.map((f) => fs.statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0),
  )
  return sources.some((s) => newest(path.join(root, s)) > oldest)
}

if (stale()) {
  process.stderr.write('reanimate: building the CLI and the window from source (a few seconds)…\n')
  const bin = (name) => path.join(root, 'node_modules/.bin', name)
  for (const args of [
    [bin('electron-vite'), ['build', '--logLevel', 'warn']],
    [bin('vite'), ['build', '--config', 'vite.cli.config.mts', '--logLevel', 'warn']],
  ]) {
    const r = spawnSync(args[0], args[1], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
      shell: process.platform === 'win32',
    })
    if (r.status !== 0) {
      process.stderr.write(
        'reanimate: the build failed (above). Run npm install, then try again.\n',
      )
      process.exit(1)
    }
  }
}
require(cli)
