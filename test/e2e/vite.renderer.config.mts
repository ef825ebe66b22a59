import { defineConfig, mergeConfig } from 'vite'
import electronViteConfig from '../../electron.vite.config'

// The renderer exactly as electron-vite builds it (same plugins, CSP and aliases), standalone.
const renderer = (electronViteConfig as { renderer?: Record<string, unknown> }).renderer ?? {}
export default mergeConfig(defineConfig({ base: './' }), renderer)
