import { useEffect, useRef, useState } from 'react'
import { getBridge } from '../../bridge'

/** Original and result side by side, played and seeked together from one set of controls. */
export function ComparePlayer(props: { original: string; result: string; resultStartSec: number }) {
  const [urls, setUrls] = useState<{ a: string; b: string }>()
  const [error, setError] = useState<string>()
  const a = useRef<HTMLVideoElement>(null)
  const b = useRef<HTMLVideoElement>(null)

  useEffect(() => {
    let live = true
    Promise.all([
      getBridge().media.playbackUrl({ path: props.original }),
      getBridge().media.playbackUrl({ path: props.result }),
    ]).then(
      ([x, y]) => live && setUrls({ a: x.url, b: y.url }),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    )
    return () => {
      live = false
    }
  }, [props.original, props.result])

  // The result starts at the trim start of the original: keep them on the same moment.
  const sync = () => {
    if (!a.current || !b.current) return
    const target = a.current.currentTime - props.resultStartSec
    if (Math.abs(b.current.currentTime - target) > 0.08) b.current.currentTime = Math.max(0, target)
  }
  const toggle = () => {
    if (!a.current || !b.current) return
    if (a.current.paused) {
      void a.current.play()
      void b.current.play()
    } else {
      a.current.pause()
      b.current.pause()
    }
  }

  if (error) return <p className="error">{error}</p>
  if (!urls) return <p className="muted">Loading…</p>
  return (
    <div className="compare" data-testid="compare">
      <figure>
        <video
          ref={a}
          src={urls.a}
          muted
          playsInline
          onTimeUpdate={sync}
          onSeeked={sync}
          onLoadedMetadata={() => a.current && (a.current.currentTime = props.resultStartSec)}
        />
        <figcaption>Original</figcaption>
      </figure>
      <figure>
        <video ref={b} src={urls.b} playsInline />
        <figcaption>Result</figcaption>
      </figure>
      <div className="row">
        <button onClick={toggle}>Play / pause</button>
      </div>
    </div>
  )
}
