import { z } from 'zod'

/**
 * Imported first by the renderer's entry and the preload, before any module builds a schema: zod
 * decides at schema creation whether to compile parsers with `new Function`, and its probe for
 * that is an eval the page's CSP (no 'unsafe-eval') blocks and reports as a violation. Jitless
 * parsing needs no eval and skips the probe.
 */
z.config({ jitless: true })
