// Electron entry point. Everything Electron-specific lives in ./electron; services are plain Node.
import './electron/app'
