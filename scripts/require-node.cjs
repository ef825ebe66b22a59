// `node scripts/require-node.cjs 22.12 "what needs it"`: stops with a clear message on an older
// Node. The CLI, `reanimate ui` and the tests run on Node 20.19+; Electron's build tooling needs 22.12+.
const [need = '22.12', what = 'This step'] = process.argv.slice(2)
const [major, minor] = process.versions.node.split('.').map(Number)
const [needMajor, needMinor] = need.split('.').map(Number)
if (major < needMajor || (major === needMajor && minor < needMinor)) {
  console.error(
    `${what} needs Node ${need} or newer (this is ${process.versions.node}). The CLI and \`npx reanimate ui\` work on this Node.`,
  )
  process.exit(1)
}
