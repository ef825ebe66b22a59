import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { VIDEO_EXTENSIONS } from '../../src/shared/video-files'

const root = path.resolve(import.meta.dirname, '../..')
const config = parse(fs.readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>

interface JsonSchema {
  properties?: Record<string, JsonSchema>
  definitions?: Record<string, JsonSchema>
  anyOf?: JsonSchema[]
  $ref?: string
  type?: string
  additionalProperties?: boolean
}
/** electron-builder's own schema for electron-builder.yml (it validates the config with it too). */
const schema = JSON.parse(
  fs.readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
) as JsonSchema

/** The object schema behind a property: follows `$ref` and the `{…} | null` anyOf. */
function objectSchema(s: JsonSchema | undefined): JsonSchema | undefined {
  if (!s) return undefined
  if (s.$ref) return objectSchema(schema.definitions?.[s.$ref.replace('#/definitions/', '')])
  if (s.anyOf) return s.anyOf.map(objectSchema).find((x) => x?.properties)
  return s.properties ? s : undefined
}

/** What each fuse must be in the packaged app (security issue #9). */
const FUSES = {
  // off: no way to run the binary as plain Node or to inject code through Node's options
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  // on: only the integrity-checked app.asar is loaded; cookies are encrypted at rest
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  enableCookieEncryption: true,
  // off: the UI is served from app://, file:// pages need no extra privileges
  grantFileProtocolExtraPrivileges: false,
}

describe('electron-builder.yml', () => {
  it('sets every security fuse', () => {
    expect(config.electronFuses).toEqual(FUSES)
  })

  it('uses only fuse names electron-builder knows (a typo would be a silently unset fuse)', () => {
    const fuseSchema = objectSchema(schema.properties?.electronFuses)
    expect(fuseSchema?.properties, 'scheme.json describes electronFuses').toBeDefined()
    expect(fuseSchema?.additionalProperties).toBe(false)
    for (const key of Object.keys(config.electronFuses as object)) {
      expect(fuseSchema?.properties?.[key]?.type, `electronFuses.${key}`).toBe('boolean')
    }
  })

  it('uses only top-level keys electron-builder knows', () => {
    const known = Object.keys(schema.properties ?? {})
    expect(known.length).toBeGreaterThan(50)
    expect(Object.keys(config).filter((k) => !known.includes(k))).toEqual([])
  })

  it('publishes to the project’s GitHub releases, where electron-updater looks', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      homepage: string
    }
    const publish = config.publish as { provider: string; owner: string; repo: string }
    expect(publish.provider).toBe('github')
    expect(`https://github.com/${publish.owner}/${publish.repo}`).toBe(pkg.homepage)
  })

  it('declares the afterPack hook that makes the bundled tools executable, and it exists', () => {
    expect(config.afterPack).toBe('scripts/after-pack.cjs')
    expect(fs.existsSync(path.join(root, config.afterPack as string))).toBe(true)
    // The hook looks for the tools where asarUnpack puts them.
    expect(config.asarUnpack).toEqual(
      expect.arrayContaining([
        'node_modules/ffmpeg-static/**',
        'node_modules/@ffprobe-installer/**',
      ]),
    )
  })

  it('ships the deb as the main Linux artefact, the AppImage beside it', () => {
    expect((config.linux as { target: string[] }).target).toEqual(['deb', 'AppImage'])
  })

  it('packs the app into an asar (the asar fuses need one)', () => {
    expect(config.asar ?? true).not.toBe(false)
  })

  describe('file associations', () => {
    interface Association {
      ext: string | string[]
      name?: string
      role?: string
      rank?: string
      mimeType?: string
    }
    const platform = (name: string) => (config[name] ?? {}) as Record<string, unknown>
    /** Linux names files by MIME type: the type of each of the app's video extensions. */
    const VIDEO_MIME: Record<string, string> = {
      '.mp4': 'video/mp4',
      '.m4v': 'video/x-m4v',
      '.mov': 'video/quicktime',
      '.mkv': 'video/x-matroska',
      '.webm': 'video/webm',
      '.avi': 'video/x-msvideo',
      '.wmv': 'video/x-ms-wmv',
      '.flv': 'video/x-flv',
      '.mpg': 'video/mpeg',
      '.mpeg': 'video/mpeg',
      '.ts': 'video/mp2t',
      '.mts': 'video/mp2t',
      '.m2ts': 'video/mp2t',
      '.3gp': 'video/3gpp',
      '.gif': 'image/gif',
      '.mxf': 'application/mxf',
      '.dv': 'video/dv',
      '.ogv': 'video/ogg',
    }

    it('a .reanimate project is its own type, opened for editing on every platform', () => {
      expect(config.fileAssociations).toEqual([
        expect.objectContaining({
          ext: 'reanimate',
          name: 'Reanimate project',
          role: 'Editor',
          mimeType: 'application/x-reanimate-project',
        }),
      ])
    })

    it("macOS offers Open With for exactly the app's video extensions, never as the default", () => {
      const videos = platform('mac').fileAssociations as Association[]
      expect(videos).toHaveLength(1)
      expect(videos[0]).toMatchObject({ role: 'Viewer', rank: 'Alternate' })
      expect([...(videos[0]?.ext as string[])].sort()).toEqual(
        [...VIDEO_EXTENSIONS].map((e) => e.slice(1)).sort(),
      )
    })

    it("Linux lists the MIME types of exactly the app's video extensions; Windows none", () => {
      expect(Object.keys(VIDEO_MIME).sort()).toEqual([...VIDEO_EXTENSIONS].sort())
      expect([...(platform('linux').mimeTypes as string[])].sort()).toEqual(
        [...new Set(Object.values(VIDEO_MIME))].sort(),
      )
      // NSIS would make the app every video's default player.
      expect(platform('win').fileAssociations).toBeUndefined()
    })

    it('uses keys electron-builder knows for them', () => {
      const props = (name: string) =>
        Object.keys(objectSchema(schema.properties?.[name])?.properties ?? {})
      expect(props('mac')).toContain('fileAssociations')
      expect(props('linux')).toContain('mimeTypes')
    })
  })
})
