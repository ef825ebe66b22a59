import { useEffect, useRef, useState } from 'react'
import type { ClipDoc, Take } from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { useJobs } from '../queue/jobs-store'
import { useTimeline } from '../timeline/timeline-store'
import { frameStart, reverseStep } from '../timeline/shuttle'

type FrameVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number
  cancelVideoFrameCallback?: (handle: number) => void
}

/** The clip's takes that finished, oldest first. */
export function finishedTakes(clip: ClipDoc, jobs: { id: string; status: string }[]): Take[] {
  return clip.takes.filter((t) => jobs.find((j) => j.id === t.jobId)?.status === 'done')
}

/** A playable URL for a file, made by main; the one for the current path only. */
function usePlayable(path: string | undefined): { url?: string; error?: string } {
  const [media, setMedia] = useState<{ path: string; url?: string; error?: string }>()
  useEffect(() => {
    if (!path) return
    let live = true
    getBridge()
      .media.playbackUrl({ path })
      .then(
        (r) => live && setMedia({ path, url: r.url }),
        (err: unknown) =>
          live && setMedia({ path, error: err instanceof Error ? err.message : String(err) }),
      )
    return () => {
      live = false
    }
  }, [path])
  return media && media.path === path ? media : {}
}

/** J: no browser plays video backwards, so the playhead steps back by seeking, frame by frame. */
function playBackwards(
  s: HTMLVideoElement,
  r: HTMLVideoElement | null,
  rate: number,
  clip: { in: number; out: number },
  fps: number,
) {
  s.pause()
  r?.pause()
  let at = useTimeline.getState().playhead
  if (at <= clip.in || at > clip.out) at = clip.out
  let last = performance.now()
  let handle = 0
  const step = (now: number) => {
    at = reverseStep(at, (now - last) / 1000, rate, clip, fps)
    last = now
    const shown = frameStart(at, fps)
    if (Math.abs(s.currentTime - shown) > 0.5 / fps && !s.seeking) {
      s.currentTime = shown
      if (r) r.currentTime = Math.max(0, shown - clip.in)
    }
    useTimeline.getState().setPlayhead(shown)
    handle = requestAnimationFrame(step)
  }
  handle = requestAnimationFrame(step)
  return () => cancelAnimationFrame(handle)
}

/**
 * The original and the selected take on one clock. The original is the master: playing, each of
 * its frames moves the playhead (looping over in/out) and the result is held on the same source
 * moment (result time = source time − in), nudged by its playback rate and re-seeked when far off.
 */
export function EditorPlayer({ clip, fps }: { clip: ClipDoc; fps: number }) {
  const source = useRef<FrameVideo>(null)
  const result = useRef<HTMLVideoElement>(null)
  const playing = useTimeline((s) => s.playing)
  const speed = useTimeline((s) => s.speed)
  const playhead = useTimeline((s) => s.playhead)
  const view = useTimeline((s) => s.view)
  const takeId = useTimeline((s) => s.take)
  const wipeAt = useTimeline((s) => s.wipeAt)
  const jobs = useJobs((s) => s.jobs)
  const takes = finishedTakes(clip, jobs)
  const take = takes.find((t) => t.jobId === takeId) ?? takes.at(-1)
  const comparing = view !== 'source' && take !== undefined
  const original = usePlayable(clip.path)
  const rendered = usePlayable(comparing ? take.output : undefined)

  // Paused: both show the playhead's moment.
  useEffect(() => {
    const s = source.current
    if (!s || playing) return
    if (Math.abs(s.currentTime - playhead) > 0.5 / fps) s.currentTime = playhead
    const r = result.current
    if (r) r.currentTime = Math.max(0, playhead - clip.in)
    // A new layout mounts new video elements: they are put on the playhead too.
  }, [playhead, playing, fps, clip.in, rendered.url, view])

  // Playing: the original is the clock.
  useEffect(() => {
    const s = source.current
    const r = result.current
    if (!s || !playing) {
      s?.pause()
      r?.pause()
      return
    }
    const { setPlayhead, setPlaying } = useTimeline.getState()
    if (speed < 0) return playBackwards(s, r, speed, { in: clip.in, out: clip.out }, fps)
    s.playbackRate = speed
    const end = clip.out - 0.5 / fps
    if (s.currentTime < clip.in || s.currentTime >= end) s.currentTime = clip.in
    let handle = 0
    const follow = () => {
      if (!r || !r.duration) return
      // Both clocks read now, not the presented frame's time against a running clock: that
      // compares a frame's start with a moment up to a frame later and keeps the result behind.
      const expected = s.currentTime - clip.in
      const drift = r.currentTime - expected
      if (Math.abs(drift) > 0.25) r.currentTime = Math.max(0, expected)
      // Started together, both videos run on the page's one clock and stay within a frame by
      // themselves: a nudge there would only make the result wobble around the original. Beyond
      // a frame (a stall, a loop) the drift is taken back over the next frames, without a visible
      // seek, and the result runs at the original's rate again once back within half a frame.
      else if (Math.abs(drift) > 1 / fps)
        r.playbackRate = speed * Math.min(1.1, Math.max(0.9, 1 - drift * 2))
      else if (Math.abs(drift) < 0.5 / fps) r.playbackRate = speed
      if (r.paused) void r.play().catch(() => undefined)
    }
    const tick = (t: number) => {
      if (t >= end) {
        s.currentTime = clip.in
        if (r) r.currentTime = 0
      }
      setPlayhead(Math.min(t, clip.out))
      follow()
      schedule()
    }
    const schedule = () => {
      handle = s.requestVideoFrameCallback
        ? s.requestVideoFrameCallback((_, meta) => tick(meta.mediaTime))
        : requestAnimationFrame(() => tick(s.currentTime))
    }
    schedule()
    let stopped = false
    // A play() cut short by this effect's own cleanup (a new speed, view or take) is not a failure.
    s.play().catch(() => !stopped && setPlaying(false))
    // The result starts with the original, in the same task, not at the original's first frame:
    // that is a frame or more late, and the start is where the two would part most.
    if (r?.duration) {
      const expected = Math.max(0, s.currentTime - clip.in)
      if (Math.abs(r.currentTime - expected) > 0.5 / fps) r.currentTime = expected
      r.playbackRate = speed
      void r.play().catch(() => undefined)
    }
    return () => {
      stopped = true
      if (s.cancelVideoFrameCallback) s.cancelVideoFrameCallback(handle)
      else cancelAnimationFrame(handle)
      s.pause()
      r?.pause()
    }
  }, [playing, speed, clip.in, clip.out, fps, rendered.url, view])

  const toggle = () => useTimeline.getState().setPlaying(!playing)
  const setView = (v: 'source' | 'side' | 'wipe') => useTimeline.setState({ view: v })
  const error = original.error ?? rendered.error

  const sourceVideo = (
    <video
      ref={source}
      src={original.url}
      playsInline
      muted={comparing}
      preload="auto"
      data-testid="source-video"
      onClick={toggle}
    />
  )
  const resultVideo = comparing && (
    <video
      ref={result}
      src={rendered.url}
      playsInline
      muted
      preload="auto"
      data-testid="result-video"
      className={view === 'wipe' ? 'wiped' : undefined}
      style={view === 'wipe' ? { clipPath: `inset(0 0 0 ${wipeAt * 100}%)` } : undefined}
      onClick={toggle}
    />
  )

  return (
    <div className="editor-player">
      {error && <p className="error">{error}</p>}
      {comparing && view === 'side' ? (
        <div className="compare" data-testid="compare">
          <figure>
            {sourceVideo}
            <figcaption>Original</figcaption>
          </figure>
          <figure>
            {resultVideo}
            <figcaption>
              Result · take {takes.indexOf(take) + 1} of {takes.length}
            </figcaption>
          </figure>
        </div>
      ) : comparing && view === 'wipe' ? (
        <div className="wipe" data-testid="wipe">
          {sourceVideo}
          {resultVideo}
          <div className="wipe-line" style={{ left: `${wipeAt * 100}%` }} aria-hidden />
          <input
            type="range"
            className="wipe-slider"
            aria-label="Wipe position"
            min={0}
            max={1}
            step={0.01}
            value={wipeAt}
            onChange={(e) => useTimeline.setState({ wipeAt: Number(e.target.value) })}
          />
        </div>
      ) : (
        <div className="single">{sourceVideo}</div>
      )}
      <div className="row player-bar">
        <button onClick={toggle} title="Space">
          {playing ? 'Pause' : 'Play'}
        </button>
        {playing && speed !== 1 && (
          <span className="muted" data-testid="shuttle-speed" title="J / K / L">
            {speed < 0 ? `◀ ${-speed}×` : `${speed}× ▶`}
          </span>
        )}
        <span className="spacer" />
        <div className="segmented" role="group" aria-label="View">
          <button aria-pressed={!comparing} onClick={() => setView('source')}>
            Original
          </button>
          <button
            aria-pressed={comparing && view === 'side'}
            disabled={!take}
            onClick={() => setView('side')}
            title={take ? 'Original and result side by side' : 'Render a take to compare'}
          >
            Side by side
          </button>
          <button
            aria-pressed={comparing && view === 'wipe'}
            disabled={!take}
            onClick={() => setView('wipe')}
            title="W"
          >
            Wipe
          </button>
        </div>
        {takes.length > 1 && (
          <label className="take-pick">
            <span>Take</span>
            <select
              value={take?.jobId}
              onChange={(e) => useTimeline.setState({ take: e.target.value })}
            >
              {takes.map((t, i) => (
                <option key={t.jobId} value={t.jobId}>
                  {i + 1}
                  {t.seed !== undefined ? ` (seed ${t.seed})` : ''}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
    </div>
  )
}
