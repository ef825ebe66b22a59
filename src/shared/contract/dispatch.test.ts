import { describe, expect, it } from 'vitest'
import { createDispatcher, describeZodError, type CallContext, type Handlers } from './dispatch'
import { methodNames, type CallReply, type MethodName } from './index'
import { AppError } from '../errors'
import { z } from 'zod'

const ctx: CallContext = { transport: 'cli', mediaBaseUrl: 'test-media://file/' }

/** Every handler records its call and answers with its own name, unless overridden. */
function makeHandlers(
  overrides: Partial<Record<MethodName, (p: unknown, c: CallContext) => Promise<unknown>>> = {},
) {
  const calls: { name: MethodName; params: unknown; ctx: CallContext }[] = []
  const handlers: Record<string, (p: unknown, c: CallContext) => Promise<unknown>> = {}
  for (const name of methodNames) {
    handlers[name] = async (params, c) => {
      calls.push({ name, params, ctx: c })
      const override = overrides[name]
      return override ? override(params, c) : { handled: name }
    }
  }
  return { handlers: handlers as unknown as Handlers, calls }
}

function expectError(reply: CallReply) {
  expect(reply.ok).toBe(false)
  if (reply.ok) throw new Error('expected an error reply')
  return reply.error
}

describe('createDispatcher', () => {
  it('runs the handler of a declared method with parsed params and the call context', async () => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const reply = await dispatch('media.probe', { path: '/videos/a.mp4' }, ctx)
    expect(reply).toEqual({ ok: true, value: { handled: 'media.probe' } })
    expect(calls).toEqual([{ name: 'media.probe', params: { path: '/videos/a.mp4' }, ctx }])
  })

  it('passes the parsed (transformed) params, not the raw ones', async () => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const reply = await dispatch('secrets.setFalKey', { key: '   abcdefgh12345   ' }, ctx)
    expect(reply.ok).toBe(true)
    expect(calls[0]?.params).toEqual({ key: 'abcdefgh12345' })
  })

  it('treats missing params as an empty object for parameterless methods', async () => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    expect((await dispatch('settings.get', undefined, ctx)).ok).toBe(true)
    expect((await dispatch('app.info', null, ctx)).ok).toBe(true)
    expect(calls.map((c) => c.name)).toEqual(['settings.get', 'app.info'])
  })

  it.each([
    ['toString'],
    ['__proto__'],
    ['constructor'],
    ['hasOwnProperty'],
    ['valueOf'],
    ['media.delete'],
    ['media'],
    ['MEDIA.PROBE'],
    [''],
  ])('rejects the undeclared method name %j with unknown-method', async (name) => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const error = expectError(await dispatch(name, {}, ctx))
    expect(error.code).toBe('unknown-method')
    expect(calls).toHaveLength(0)
  })

  it.each([
    [undefined],
    [null],
    [42],
    [{ method: 'app.info' }],
    [['app.info']],
    [Symbol('app.info')],
  ])('rejects the non-string method name %s with unknown-method', async (name) => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const error = expectError(await dispatch(name, {}, ctx))
    expect(error.code).toBe('unknown-method')
    expect(calls).toHaveLength(0)
  })

  it('truncates a huge unknown method name in the message', async () => {
    const { handlers } = makeHandlers()
    const error = expectError(await createDispatcher(handlers)('x'.repeat(10_000), {}, ctx))
    expect(error.code).toBe('unknown-method')
    expect(error.message.length).toBeLessThan(200)
  })

  it('rejects a too-short fal key with invalid-params naming the key field, without echoing it', async () => {
    const { handlers, calls } = makeHandlers()
    const error = expectError(
      await createDispatcher(handlers)('secrets.setFalKey', { key: 'short' }, ctx),
    )
    expect(error.code).toBe('invalid-params')
    expect(error.field).toBe('key')
    expect(error.message).toBe('The fal key looks too short')
    expect(error.message).not.toContain('short"')
    expect(calls).toHaveLength(0)
  })

  it('rejects a fal key with inner spaces, naming the key field', async () => {
    const { handlers } = makeHandlers()
    const error = expectError(
      await createDispatcher(handlers)('secrets.setFalKey', { key: 'abcd efgh ijkl' }, ctx),
    )
    expect(error).toMatchObject({ code: 'invalid-params', field: 'key' })
  })

  it('rejects a missing required field, naming it', async () => {
    const { handlers } = makeHandlers()
    const error = expectError(await createDispatcher(handlers)('media.probe', {}, ctx))
    expect(error).toMatchObject({ code: 'invalid-params', field: 'path' })
  })

  it('rejects a field of the wrong type, naming it', async () => {
    const { handlers } = makeHandlers()
    const error = expectError(
      await createDispatcher(handlers)('settings.update', { concurrency: '3' }, ctx),
    )
    expect(error).toMatchObject({ code: 'invalid-params', field: 'concurrency' })
  })

  it('rejects unknown keys because schemas are strict', async () => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const probe = expectError(await dispatch('media.probe', { path: '/a.mp4', extra: true }, ctx))
    expect(probe.code).toBe('invalid-params')
    expect(probe.message).toContain('extra')
    const none = expectError(await dispatch('settings.get', { sneaky: 1 }, ctx))
    expect(none.code).toBe('invalid-params')
    // recentFolders is owned by main and not part of the patch schema.
    const patch = expectError(await dispatch('settings.update', { recentFolders: ['/x'] }, ctx))
    expect(patch.code).toBe('invalid-params')
    expect(calls).toHaveLength(0)
  })

  it.each([['a string'], [42], [['/a.mp4']], [true]])(
    'rejects non-object params %j with invalid-params',
    async (params) => {
      const { handlers, calls } = makeHandlers()
      const error = expectError(await createDispatcher(handlers)('media.probe', params, ctx))
      expect(error.code).toBe('invalid-params')
      expect(calls).toHaveLength(0)
    },
  )

  it('passes an AppError from a handler through with code, field and file', async () => {
    const { handlers } = makeHandlers({
      'media.probe': async () => {
        throw new AppError('invalid-input', 'clip.mp4: no video stream', {
          file: '/v/clip.mp4',
          field: 'path',
        })
      },
    })
    const error = expectError(
      await createDispatcher(handlers)('media.probe', { path: '/v/clip.mp4' }, ctx),
    )
    expect(error).toEqual({
      code: 'invalid-input',
      message: 'clip.mp4: no video stream',
      file: '/v/clip.mp4',
      field: 'path',
    })
  })

  it('turns a plain Error into internal without a stack trace', async () => {
    const { handlers } = makeHandlers({
      'settings.get': async () => {
        throw new Error('disk exploded')
      },
    })
    const error = expectError(await createDispatcher(handlers)('settings.get', {}, ctx))
    expect(error).toEqual({ code: 'internal', message: 'disk exploded' })
  })

  it('turns a synchronous throw in a handler into an error reply', async () => {
    const handlers = makeHandlers().handlers as unknown as Record<string, unknown>
    handlers['settings.get'] = () => {
      throw new TypeError('sync boom')
    }
    const error = expectError(
      await createDispatcher(handlers as unknown as Handlers)('settings.get', {}, ctx),
    )
    expect(error.code).toBe('internal')
    expect(error.message).toBe('sync boom')
  })

  it.each([
    ['a string', 'just a string'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 7],
    ['an Error with an empty message', new Error('')],
    ['a null-prototype object', Object.create(null) as unknown],
    [
      'an object whose toString throws',
      {
        toString: () => {
          throw new Error('nope')
        },
      },
    ],
    [
      'an Error whose message getter throws',
      Object.defineProperty(new Error('x'), 'message', {
        get() {
          throw new Error('getter')
        },
      }),
    ],
  ])('never throws, even when a handler throws %s', async (_label, thrown) => {
    const { handlers } = makeHandlers({
      'settings.get': async () => {
        throw thrown
      },
    })
    const dispatch = createDispatcher(handlers)
    const reply = await dispatch('settings.get', {}, ctx).catch((e: unknown) => ({ rejected: e }))
    expect(reply).not.toHaveProperty('rejected')
    const error = expectError(reply as CallReply)
    expect(error.code).toBe('internal')
    expect(typeof error.message).toBe('string')
    expect(error.message.length).toBeGreaterThan(0)
  })

  it('never throws for hostile method names or params', async () => {
    const { handlers } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    const hostile: [unknown, unknown][] = [
      [Object.create(null), {}],
      [
        {
          toString: () => {
            throw new Error('x')
          },
        },
        {},
      ],
      ['media.probe', Object.create(null)],
      [
        'media.probe',
        new Proxy(
          {},
          {
            get: () => {
              throw new Error('trap')
            },
            ownKeys: () => {
              throw new Error('trap')
            },
          },
        ),
      ],
    ]
    for (const [name, params] of hostile) {
      const reply = await dispatch(name, params, ctx).catch((e: unknown) => ({ rejected: e }))
      expect(reply).not.toHaveProperty('rejected')
      expect((reply as CallReply).ok).toBe(false)
    }
  })

  it('a failing call does not affect the next one', async () => {
    let fail = true
    const { handlers } = makeHandlers({
      'secrets.status': async () => {
        if (fail) throw new AppError('key-missing', 'no key')
        return { ok: 'now' }
      },
    })
    const dispatch = createDispatcher(handlers)
    expect(expectError(await dispatch('secrets.status', {}, ctx)).code).toBe('key-missing')
    fail = false
    expect(await dispatch('secrets.status', {}, ctx)).toEqual({ ok: true, value: { ok: 'now' } })
  })
})

describe('describeZodError', () => {
  it('joins nested paths with dots', () => {
    const schema = z.object({ outer: z.object({ inner: z.array(z.number()) }) })
    const result = schema.safeParse({ outer: { inner: [1, 'two'] } })
    expect(result.success).toBe(false)
    if (result.success) return
    const described = describeZodError(result.error)
    expect(described.field).toBe('outer.inner.1')
    expect(described.message.startsWith('outer.inner.1: ')).toBe(true)
  })

  it('has no field for a root-level issue', () => {
    const result = z.string().safeParse(5)
    expect(result.success).toBe(false)
    if (result.success) return
    const described = describeZodError(result.error)
    expect(described.field).toBeUndefined()
    expect(described.message.length).toBeGreaterThan(0)
  })
})

describe('dispatcher exhaustiveness', () => {
  it('routes every declared method to its own handler', async () => {
    const { handlers, calls } = makeHandlers()
    const dispatch = createDispatcher(handlers)
    // Typed so that a new contract method fails to compile here until it gets valid params.
    const validParams: Record<MethodName, unknown> = {
      'app.info': {},
      'settings.get': {},
      'settings.update': { concurrency: 3 },
      'settings.setFalProxy': { url: 'https://proxy.example/fal', sendKey: false },
      'settings.pickTool': { tool: 'ffmpeg' },
      'settings.pickOutputDir': {},
      'settings.resetTool': { tool: 'ffprobe' },
      'secrets.status': {},
      'secrets.setFalKey': { key: 'abcdefgh12345' },
      'secrets.clearFalKey': {},
      'media.probe': { path: '/a.mp4' },
      'media.playbackUrl': { path: '/a.mp4' },
      'media.poster': { path: '/a.mp4' },
      'media.filmstrip': { path: '/a.mp4', startSec: 0, endSec: 2, count: 4 },
      'media.commands': {},
      'library.pickFiles': {},
      'library.pickFolder': {},
      'library.opened': {},
      'loras.pick': {},
      'loras.recent': {},
      'files.browse': { show: 'loras' },
      'files.choose': { paths: ['/a.mp4'] },
      'library.expand': { paths: ['/clips'] },
      'media.waveform': { path: '/a.mp4', startSec: 0, endSec: 1, buckets: 10 },
      'project.open': {},
      'project.recent': {},
      'project.save': {
        path: '/p.reanimate',
        project: {
          clips: [{ path: '/a.mp4', in: 0, out: 1, endpoint: 'fal-ai/animatediff-v2v/turbo' }],
        },
      },
      'project.saveAs': { project: { clips: [] } },
      'project.autosave': { project: { clips: [] }, path: null },
      'project.restore': {},
      'render.start': {
        path: '/a.mp4',
        range: { startSec: 0 },
        endpoint: 'fal-ai/animatediff-v2v/turbo',
        params: { prompt: 'x' },
      },
      'jobs.list': {},
      'jobs.cancel': { id: 'j1' },
      'jobs.abandon': { id: 'j1' },
      'jobs.retry': { id: 'j1' },
      'jobs.reveal': { id: 'j1' },
      'jobs.open': { id: 'j1' },
      'jobs.pause': {},
      'jobs.state': {},
      'jobs.estimates': {},
      'jobs.resume': {},
      'batch.start': {
        dir: '/in',
        outDir: '/out',
        endpoint: 'fal-ai/animatediff-v2v/turbo',
        params: { prompt: 'x' },
      },
      'batch.preview': { dir: '/in' },
      'batch.revealSummary': { batchId: 'b1' },
      'batch.cancel': { batchId: 'b1' },
      'presets.list': {},
      'presets.save': { name: 'Ink', preset: { params: { prompt: 'x' } } },
      'presets.rename': { from: 'Ink', to: 'Ink 2' },
      'presets.delete': { name: 'Ink' },
      'presets.export': { name: 'Ink' },
      'presets.import': {},
    }
    for (const name of methodNames) {
      const reply = await dispatch(name, validParams[name], ctx)
      expect(reply).toEqual({ ok: true, value: { handled: name } })
    }
    expect(calls.map((c) => c.name)).toEqual(methodNames)
  })
})

describe('refused settings name the control, not the contract', () => {
  it('says "Renders at once must be at most 40", with the field for the form', async () => {
    const dispatch = createDispatcher(makeHandlers().handlers)
    const reply = await dispatch('settings.update', { concurrency: 41 }, ctx)
    expect(reply).toEqual({
      ok: false,
      error: {
        code: 'invalid-params',
        message: 'Renders at once must be at most 40',
        field: 'concurrency',
      },
    })
    const name = await dispatch('settings.update', { nameTemplate: 'out' }, ctx)
    expect(name.ok ? '' : name.error.message).toBe(
      'Output name must contain {stem}, or every clip would get the same name',
    )
    const key = await dispatch('secrets.setFalKey', { key: 'short' }, ctx)
    expect(key.ok ? '' : key.error.message).toBe('The fal key looks too short')
  })
})
