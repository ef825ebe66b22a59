import { useEffect, useRef, useState, type PointerEvent } from 'react'
import { MOTION_WINDOW_FRAMES, crossfadeSpan, targetFrameRate } from '@shared/frames'
import {
  effectiveParams,
  segmentOutputFrames,
  segmentsOf,
  type ClipDoc,
} from '@shared/project/clip'
import type { ProbeResult } from '@shared/media'
import { getBridge } from '../../bridge'
import { useProject } from '../project/project-store'
import { useTimeline } from './timeline-store'
import { CrossfadeField } from './CrossfadeField'
import { TakesLane } from './TakesLane'
import { Waveform } from './Waveform'
import {
  fitPxPerSec,
  rulerLabel,
  tickStep,
  ticks,
  timeToX,
  timecode,
  xToTime,
} from './timeline-math'

const GUTTER = 12

/** The selected clip on a time ruler: filmstrip, in/out, segments with their prompts, playhead. */
export function Timeline({ clip, probe }: { clip: ClipDoc; probe: ProbeResult }) {
  const { fps } = targetFrameRate(probe)
  const duration = probe.durationSec
  const { playhead, pxPerSec, selectedBorder, setPlayhead, setZoom, selectBorder } = useTimeline()
  const project = useProject.getState()
  const width = Math.ceil(duration * pxPerSec) + GUTTER * 2
  const x = (t: number) => GUTTER + timeToX(t, pxPerSec)
  const segs = segmentsOf(clip)
  // The overlap each border is rendered with when segments are blended (one Nth for all of them).
  const blend = crossfadeSpan(
    segs.length > 1 ? (clip.crossfadeFrames ?? 0) : 0,
    fps,
    effectiveParams(clip, segs[0] as (typeof segs)[number]).select_every_nth_frame ?? 2,
  )
  const step = tickStep(pxPerSec, fps)
  const strip = useFilmstrip(clip.path, duration)
  const scroller = useRef<HTMLDivElement>(null)

  // The whole clip fits the panel, and keeps fitting as the window resizes, until the user zooms.
  useEffect(() => {
    const el = scroller.current
    if (!el) return
    const fit = () => {
      if (useTimeline.getState().fitted)
        useTimeline.getState().fit(fitPxPerSec(duration, el.clientWidth - GUTTER * 2))
    }
    useTimeline.setState({ fitted: true })
    fit()
    const observer = new ResizeObserver(fit)
    observer.observe(el)
    return () => observer.disconnect()
  }, [clip.id, duration])
  /** Source time under a pointer, snapped to a frame. */
  const timeAt = (e: PointerEvent, lane: Element | null) => {
    const box = lane?.getBoundingClientRect()
    const t = xToTime(e.clientX - (box?.left ?? 0) - GUTTER, pxPerSec)
    return Math.min(duration, Math.max(0, Math.round(t * fps) / fps))
  }
  /** Drags: the playhead (ruler), an in/out handle or a border. */
  const drag = (onMove: (t: number) => void) => (e: PointerEvent<HTMLElement>) => {
    e.preventDefault()
    e.stopPropagation()
    const target = e.currentTarget
    const lane = target.closest('.timeline-content')
    target.setPointerCapture(e.pointerId)
    onMove(timeAt(e, lane))
    const move = (ev: globalThis.PointerEvent) =>
      onMove(timeAt(ev as unknown as PointerEvent, lane))
    const up = () => {
      target.removeEventListener('pointermove', move)
      target.removeEventListener('pointerup', up)
    }
    target.addEventListener('pointermove', move)
    target.addEventListener('pointerup', up)
  }

  return (
    <section className="timeline" aria-label="Timeline">
      <div className="row timeline-bar">
        <span className="timecode" data-testid="timecode">
          {timecode(playhead, fps)}
        </span>
        <span
          className="muted range-text"
          data-testid="timeline-range"
          title={`In ${timecode(clip.in, fps)} · Out ${timecode(clip.out, fps)}`}
        >
          In {timecode(clip.in, fps)} · Out {timecode(clip.out, fps)}
        </span>
        {/* One segment is the whole range: the lane shows it, and the range text needs the room. */}
        {segs.length > 1 && <span className="muted">{segs.length} segments</span>}
        {segs.length > 1 && <CrossfadeField clip={clip} />}
        <span className="spacer" />
        <button
          className="ghost"
          onClick={() => {
            const el = scroller.current
            if (el) useTimeline.getState().fit(fitPxPerSec(duration, el.clientWidth - GUTTER * 2))
          }}
        >
          Fit
        </button>
        <button className="ghost" aria-label="Zoom out" onClick={() => setZoom(pxPerSec / 1.5)}>
          −
        </button>
        <button className="ghost" aria-label="Zoom in" onClick={() => setZoom(pxPerSec * 1.5)}>
          +
        </button>
      </div>
      <div
        className="timeline-scroll"
        ref={scroller}
        onWheel={(e) => {
          if (!e.ctrlKey) return
          e.preventDefault()
          setZoom(pxPerSec * (e.deltaY < 0 ? 1.2 : 1 / 1.2))
        }}
      >
        <div
          className="timeline-content"
          style={{ width, height: 154 + Math.min(3, clip.takes.length) * 34 }}
        >
          <div
            className="ruler"
            role="slider"
            aria-label="Playhead"
            aria-valuemin={0}
            aria-valuemax={duration}
            aria-valuenow={playhead}
            aria-valuetext={timecode(playhead, fps)}
            tabIndex={0}
            onPointerDown={drag(setPlayhead)}
          >
            {ticks(0, duration, step).map((t) => (
              <span key={t} className="tick" style={{ left: x(t) }}>
                {rulerLabel(t, step, fps)}
              </span>
            ))}
          </div>
          {strip && (
            <img
              className="filmstrip"
              src={strip}
              alt=""
              style={{ left: GUTTER, width: width - GUTTER * 2 }}
              onPointerDown={drag(setPlayhead)}
            />
          )}
          <Waveform path={clip.path} duration={duration} left={GUTTER} width={width - GUTTER * 2} />
          <div className="segments" aria-label="Segments">
            {segs.map((s, i) => {
              const params = effectiveParams(clip, s)
              const frames = segmentOutputFrames(s, fps, params.select_every_nth_frame ?? 2)
              const few = frames < MOTION_WINDOW_FRAMES
              return (
                <button
                  key={`${s.start}-${i}`}
                  className={`segment${few ? ' few' : ''}`}
                  style={{
                    left: x(s.start),
                    width: Math.max(2, timeToX(s.end - s.start, pxPerSec)),
                  }}
                  onClick={() => setPlayhead(s.start)}
                  title={`${timecode(s.start, fps)}–${timecode(s.end, fps)}: ${frames} frames rendered${few ? ` (fewer than ${MOTION_WINDOW_FRAMES}: too short to animate well)` : ''}`}
                  data-testid="segment"
                >
                  <span className="segment-prompt">{params.prompt || '(no prompt)'}</span>
                  <span className="muted">
                    {frames} fr{few ? ' ⚠' : ''}
                  </span>
                </button>
              )
            })}
            {blend.totalSec > 0 &&
              segs.slice(1).map((s, b) => (
                <div
                  key={`blend-${b}`}
                  className="blend"
                  style={{
                    left: x(s.start - blend.beforeSec),
                    width: Math.max(2, timeToX(blend.totalSec, pxPerSec)),
                  }}
                  title={`Blended over ${timecode(s.start - blend.beforeSec, fps)}–${timecode(s.start + blend.afterSec, fps)}`}
                  aria-hidden
                />
              ))}
            {segs.slice(1).map((s, b) => (
              <button
                key={`border-${b}`}
                className={`border${selectedBorder === b ? ' selected' : ''}`}
                style={{ left: x(s.start) - 4 }}
                aria-label={`Border ${b + 1} at ${timecode(s.start, fps)}`}
                aria-pressed={selectedBorder === b}
                onClick={() => selectBorder(b)}
                onPointerDown={(e) => {
                  selectBorder(b)
                  drag((t) => project.moveBorder(clip.id, b, t, fps))(e)
                }}
              />
            ))}
          </div>
          <TakesLane clip={clip} x={x} pxPerSec={pxPerSec} />
          <div className="out-of-range" style={{ left: 0, width: x(clip.in) }} />
          <div className="out-of-range" style={{ left: x(clip.out), right: 0 }} />
          <button
            className="range-handle"
            style={{ left: x(clip.in) - 4 }}
            aria-label={`In at ${timecode(clip.in, fps)}`}
            onPointerDown={drag((t) => project.trim(clip.id, { in: t }, fps, duration))}
          />
          <button
            className="range-handle"
            style={{ left: x(clip.out) - 4 }}
            aria-label={`Out at ${timecode(clip.out, fps)}`}
            onPointerDown={drag((t) => project.trim(clip.id, { out: t }, fps, duration))}
          />
          <div className="playhead" style={{ left: x(playhead) }} aria-hidden />
        </div>
      </div>
    </section>
  )
}

/** The filmstrip sprite of the whole clip, made and cached by main. */
function useFilmstrip(path: string, duration: number): string | undefined {
  const [strip, setStrip] = useState<{ path: string; url: string }>()
  useEffect(() => {
    let live = true
    getBridge()
      .media.filmstrip({ path, startSec: 0, endSec: duration, count: 24, height: 40 })
      .then(
        (r) => live && setStrip({ path, url: r.url }),
        () => undefined,
      )
    return () => {
      live = false
    }
  }, [path, duration])
  return strip?.path === path ? strip.url : undefined
}
