/**
 * One CSV cell. A cell that a spreadsheet would read as a formula (it starts with `=`, `+`, `-`,
 * `@`, a tab or a carriage return; file names can, e.g. `=HYPERLINK(…)-clip.mp4`) gets a leading
 * `'` and is quoted, so it opens as text. Other cells are quoted only when they hold `"`, `,` or a
 * line break (RFC 4180).
 */
export function csvCell(v: string | undefined): string {
  const s = v ?? ''
  if (/^[=+\-@\t\r]/.test(s)) return `"'${s.replace(/"/g, '""')}"`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}
