// electron-builder's afterPack hook (electron-builder.yml). The bundled ffmpeg and ffprobe must be
// executable in the installed app: @ffprobe-installer ships ffprobe with mode 644 and counts on a
// postinstall chmod, and the deb and AppImage install files as packed. So each tool is set to 0755
// here, and packaging stops, naming the tool, if one is missing or still not executable.
const fs = require('node:fs')
const path = require('node:path')

/** builder-util's Arch enum, by value. */
const ARCH_NAMES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal']

/** `app.asar.unpacked` inside a packed app: `resources/` (Windows, Linux) or `*.app/Contents/Resources/` (macOS). */
function findUnpacked(appOutDir) {
  const candidates = [path.join(appOutDir, 'resources', 'app.asar.unpacked')]
  for (const entry of fs.existsSync(appOutDir) ? fs.readdirSync(appOutDir) : [])
    if (entry.endsWith('.app'))
      candidates.push(path.join(appOutDir, entry, 'Contents', 'Resources', 'app.asar.unpacked'))
  const found = candidates.find((dir) => fs.existsSync(dir))
  if (!found)
    throw new Error(
      `after-pack: no app.asar.unpacked in ${appOutDir}, so ffmpeg and ffprobe are not bundled (see asarUnpack in electron-builder.yml)`,
    )
  return found
}

/** The tools the app runs from its own folder for this platform and architecture. */
function bundledTools(unpacked, platform, arch) {
  const exe = platform === 'win32' ? '.exe' : ''
  // ffprobe-installer's package names use Node's names: linux-arm, not linux-armv7l.
  const ffprobeArch = arch === 'armv7l' ? 'arm' : arch
  return [
    {
      name: 'ffmpeg (ffmpeg-static)',
      file: path.join(unpacked, 'node_modules', 'ffmpeg-static', `ffmpeg${exe}`),
    },
    {
      name: `ffprobe (@ffprobe-installer/${platform}-${ffprobeArch})`,
      file: path.join(
        unpacked,
        'node_modules',
        '@ffprobe-installer',
        `${platform}-${ffprobeArch}`,
        `ffprobe${exe}`,
      ),
    },
  ]
}

/**
 * Sets mode 0755 on the bundled ffmpeg and ffprobe under `appOutDir` and checks they are
 * executable; throws naming every tool that is missing or is not. Returns the files it checked.
 */
function makeToolsExecutable(appOutDir, { platform, arch }) {
  const unpacked = findUnpacked(appOutDir)
  const problems = []
  const tools = bundledTools(unpacked, platform, arch)
  for (const tool of tools) {
    const rel = path.relative(appOutDir, tool.file)
    if (!fs.existsSync(tool.file)) {
      problems.push(
        `${tool.name} is missing (${rel}); was its download skipped during npm install?`,
      )
      continue
    }
    // Windows runs any .exe; its mode bits mean nothing there.
    if (platform === 'win32') continue
    fs.chmodSync(tool.file, 0o755)
    if ((fs.statSync(tool.file).mode & 0o111) !== 0o111)
      problems.push(`${tool.name} is not executable after chmod 755 (${rel})`)
  }
  if (problems.length)
    throw new Error(`after-pack: a bundled tool cannot be run:\n  ${problems.join('\n  ')}`)
  return tools.map((t) => t.file)
}

/** The hook itself: electron-builder calls it once per packed platform and architecture. */
async function afterPack(context) {
  const arch = ARCH_NAMES[context.arch] ?? String(context.arch)
  const platform = context.electronPlatformName === 'mas' ? 'darwin' : context.electronPlatformName
  for (const file of makeToolsExecutable(context.appOutDir, { platform, arch }))
    console.log(`  • after-pack: ${path.relative(context.appOutDir, file)} is executable`)
}

module.exports = afterPack
module.exports.default = afterPack
module.exports.makeToolsExecutable = makeToolsExecutable
