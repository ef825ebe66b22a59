import { ApiError, ValidationError } from '@fal-ai/client'
import { describe, expect, it } from 'vitest'
import { AppError } from '../../shared/errors'
import { fieldFromLoc, mapFalError } from './errors'

const api = (status: number, body: unknown = { detail: 'nope' }) =>
  new ApiError({ message: 'x', status, body, requestId: 'r1', timeoutType: undefined } as never)

describe('fal errors a user can act on', () => {
  it('maps a 422 to the parameter it names', () => {
    const err = new ValidationError({
      message: 'Unprocessable',
      status: 422,
      body: {
        detail: [
          { loc: ['body', 'num_inference_steps'], msg: 'must be at most 12', type: 'value_error' },
        ],
      },
    } as never)
    const mapped = mapFalError(err, { stage: 'fetching the result', requestId: 'abc' })
    expect(mapped).toMatchObject({ code: 'fal-validation', field: 'num_inference_steps' })
    expect(mapped.message).toContain('num_inference_steps: must be at most 12')
    expect(mapped.message).toContain('abc')
  })

  it('sends a rejected key to Settings', () => {
    for (const status of [401, 403]) {
      const m = mapFalError(api(status), { stage: 'submitting' })
      expect(m.code).toBe('key-rejected')
      expect(m.message).toMatch(/Settings/)
    }
  })

  it('separates rate limiting, server errors and lost connections', () => {
    expect(mapFalError(api(429), { stage: 's' }).code).toBe('fal-rate-limited')
    expect(mapFalError(api(503), { stage: 's' }).code).toBe('fal-server')
    const net = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    })
    expect(mapFalError(net, { stage: 'uploading' })).toMatchObject({
      code: 'network',
      message: expect.stringContaining('uploading'),
    })
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' })
    expect(mapFalError(abort, { stage: 's' }).code).toBe('cancelled')
  })

  it('passes AppErrors through and keeps unknown errors readable', () => {
    const own = new AppError('disk-full', 'full')
    expect(mapFalError(own, { stage: 's' })).toBe(own)
    expect(mapFalError(new Error('weird'), { stage: 'waiting' })).toMatchObject({
      code: 'internal',
      message: 'waiting: weird',
    })
  })

  it('reads field paths out of loc', () => {
    expect(fieldFromLoc(['body', 'loras', 0, 'scale'])).toBe('loras.0.scale')
    expect(fieldFromLoc(['body'])).toBeUndefined()
    expect(fieldFromLoc(undefined)).toBeUndefined()
  })
})
