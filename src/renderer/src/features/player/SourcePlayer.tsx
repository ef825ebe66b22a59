import { useEffect, useRef, useState } from 'react'
import type { ClipDoc } from '@shared/project/clip'
import { getBridge } from '../../bridge'
import { useTimeline } from '../timeline/timeline-store'

type FrameVideo = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { mediaTime: number }) => void) => number
  cancelVideoFrameCallback?: (handle: number) => void
}

/**
 * The selected clip, driven by the timeline's clock: playing moves the playhead frame by frame and
 * loops over in/out; moving the playhead seeks the video.
 */
export function SourcePlayer({ clip, fps }: { clip: ClipDoc; fps: number }) {
  const video = useRef<FrameVideo>(null)
  const [media, setMedia] = useState<{ path: string; url?: string; error?: string }>()
  const playing = useTimeline((s) => s.playing)
  const playhead = useTimeline((s) => s.playhead)

  useEffect(() => {
    let live = true
    const path = clip.path
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
  }, [clip.path])

  // The playhead moved by the user (ruler, keys): seek there.
  useEffect(() => {
    const v = video.current
    if (v && !playing && Math.abs(v.currentTime - playhead) > 0.5 / fps) v.currentTime = playhead
  }, [playhead, playing, fps])

  // Playing: the video is the clock; the playhead follows each shown frame, looping in/out.
  useEffect(() => {
    const v = video.current
    if (!v || !playing) {
      v?.pause()
      return
    }
    const { setPlayhead, setPlaying } = useTimeline.getState()
    if (v.currentTime < clip.in || v.currentTime >= clip.out - 0.5 / fps) v.currentTime = clip.in
    let handle = 0
    const tick = (t: number) => {
      if (t >= clip.out - 0.5 / fps) v.currentTime = clip.in
      setPlayhead(Math.min(t, clip.out))
      schedule()
    }
    const schedule = () => {
      handle = v.requestVideoFrameCallback
        ? v.requestVideoFrameCallback((_, meta) => tick(meta.mediaTime))
        : requestAnimationFrame(() => tick(v.currentTime))
    }
    schedule()
    v.play().catch(() => setPlaying(false))
    return () => {
      if (v.cancelVideoFrameCallback) v.cancelVideoFrameCallback(handle)
      else cancelAnimationFrame(handle)
      v.pause()
    }
  }, [playing, clip.in, clip.out, fps])

  const current = media?.path === clip.path ? media : undefined
  if (current?.error) return <p className="error">{current.error}</p>
  return (
    <div className="source-player">
      <video
        ref={video}
        src={current?.url}
        playsInline
        preload="auto"
        data-testid="source-video"
        onClick={() => useTimeline.getState().setPlaying(!playing)}
      />
      <div className="row">
        <button onClick={() => useTimeline.getState().setPlaying(!playing)} title="Space">
          {playing ? 'Pause' : 'Play'}
        </button>
      </div>
    </div>
  )
}
