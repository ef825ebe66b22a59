/**
 * `reanimate ui`: a file dropped into the browser tab has no path on disk the page can name, so its
 * bytes go to main (`POST /import`, same origin, the session cookie) and come back as a path.
 * XMLHttpRequest, not fetch: it reports upload progress.
 */
export function importDroppedFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/import?name=${encodeURIComponent(file.name)}`)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onerror = () =>
      reject(new Error(`${file.name}: the upload to Reanimate broke off; drop it again`))
    xhr.onload = () => {
      let body: { path?: string; error?: { message: string } } = {}
      try {
        body = JSON.parse(xhr.responseText) as typeof body
      } catch {
        // not JSON: the status says enough
      }
      if (xhr.status === 200 && body.path) resolve(body.path)
      else
        reject(
          new Error(body.error?.message ?? `${file.name}: Reanimate refused it (${xhr.status})`),
        )
    }
    xhr.send(file)
  })
}
