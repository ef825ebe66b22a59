import { useEffect, useState } from 'react'
import { getBridge } from '../../bridge'

/** Peaks per second of source fetched once per clip; drawn stretched to any zoom. */
const PEAKS_PER_SEC = 50

/** The source's audio under the filmstrip, as main reads it with ffmpeg. */
export function Waveform(props: { path: string; duration: number; left: number; width: number }) {
  const { path, duration } = props
  const [wave, setWave] = useState<{ path: string; peaks: number[] }>()
  useEffect(() => {
    let live = true
    getBridge()
      .media.waveform({
        path,
        startSec: 0,
        endSec: duration,
        buckets: Math.min(4000, Math.max(1, Math.ceil(duration * PEAKS_PER_SEC))),
      })
      .then(
        (r) => live && setWave({ path, peaks: r.peaks }),
        () => undefined,
      )
    return () => {
      live = false
    }
  }, [path, duration])
  const peaks = wave?.path === path ? wave.peaks : []
  if (!peaks.length) return null
  // Mirrored bars around the middle line, one unit wide each.
  const d = peaks.map((p, i) => `M${i + 0.5} ${1 - p}V${1 + p}`).join('')
  return (
    <svg
      className="waveform"
      data-testid="waveform"
      viewBox={`0 0 ${peaks.length} 2`}
      preserveAspectRatio="none"
      style={{ left: props.left, width: props.width }}
      aria-hidden
    >
      <path d={d} vectorEffect="non-scaling-stroke" />
    </svg>
  )
}
