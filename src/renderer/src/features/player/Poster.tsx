import { useEffect, useState } from 'react'
import { getBridge } from '../../bridge'

/** The clip's poster frame, made by main with ffmpeg and cached there. */
export function Poster(props: { path: string }) {
  const [url, setUrl] = useState<string>()
  useEffect(() => {
    let live = true
    getBridge()
      .media.poster({ path: props.path, atSec: 0, height: 72 })
      .then(
        (r) => live && setUrl(r.url),
        () => undefined,
      )
    return () => {
      live = false
    }
  }, [props.path])
  return url ? <img className="poster" src={url} alt="" data-testid="poster" /> : null
}
