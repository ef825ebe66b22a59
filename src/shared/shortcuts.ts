/**
 * Every app command and its keys, once: the renderer binds `bind` (tinykeys) and lists `keys` in
 * the "?" overlay; main builds the application menu from `menu` and `accelerator`. The renderer
 * keeps what each command does, keyed by `id`; a menu item reaches it as the `app.command` event.
 *
 * Menu accelerators only ever carry a modifier: a bare key (Space, J, I…) as an accelerator would
 * be taken from text fields, since the menu sees keys the page did not handle.
 */

/** Where a command sits in the application menu (macOS's app menu is `app`). */
export type MenuPlace = 'app' | 'file' | 'edit' | 'view' | 'help'

export interface ShortcutDef {
  readonly id: string
  /** As shown in the "?" list; '' keeps it out of the list (covered by a neighbour's row). */
  readonly keys: string
  /** tinykeys bindings (`$mod` is Cmd on macOS, Ctrl elsewhere); none for menu-only commands. */
  readonly bind: readonly string[]
  readonly label: string
  /** Electron's accelerator for the same keys, when the command is in the menu. */
  readonly accelerator?: string
  /** The menu item, when there is one. */
  readonly menu?: { readonly place: MenuPlace; readonly label: string }
  /** Also while typing in a text field. */
  readonly inText?: boolean
}

export const SHORTCUT_TABLE = [
  { id: 'play', keys: 'Space', bind: ['Space'], label: 'play / pause' },
  {
    id: 'shuttle-back',
    keys: 'J / K / L',
    bind: ['j'],
    label: 'shuttle: play backwards / stop / play; J or L again: twice as fast',
  },
  { id: 'shuttle-stop', keys: '', bind: ['k'], label: 'stop' },
  { id: 'shuttle-on', keys: '', bind: ['l'], label: 'play forward, faster' },
  { id: 'frame-back', keys: '← / →', bind: ['ArrowLeft'], label: 'one frame back / on' },
  { id: 'frame-on', keys: '', bind: ['ArrowRight'], label: 'one frame on' },
  {
    id: 'second-back',
    keys: 'Shift+← / →',
    bind: ['Shift+ArrowLeft'],
    label: 'one second back / on',
  },
  { id: 'second-on', keys: '', bind: ['Shift+ArrowRight'], label: 'one second on' },
  { id: 'go-in', keys: 'Home / End', bind: ['Home'], label: 'go to in / out' },
  { id: 'go-out', keys: '', bind: ['End'], label: 'go to out' },
  { id: 'set-in', keys: 'I', bind: ['i'], label: 'set in at the playhead' },
  { id: 'set-out', keys: 'O', bind: ['o'], label: 'set out at the playhead' },
  { id: 'split', keys: 'S', bind: ['s'], label: 'split at the playhead' },
  {
    id: 'merge',
    keys: 'Delete',
    bind: ['Delete', 'Backspace'],
    label: 'merge at the selected border',
  },
  { id: 'wipe', keys: 'W', bind: ['w'], label: 'wipe the result over the original' },
  { id: 'next-take', keys: 'T', bind: ['t'], label: 'next take' },
  {
    id: 'render',
    keys: 'Ctrl/Cmd+Enter',
    bind: ['$mod+Enter'],
    label: 'render the clip',
    inText: true,
  },
  {
    id: 'open-clips',
    keys: '',
    bind: [],
    label: 'open clips',
    menu: { place: 'file', label: 'Open Clips…' },
  },
  {
    id: 'batch',
    keys: '',
    bind: [],
    label: 'batch a folder',
    menu: { place: 'file', label: 'Batch a Folder…' },
  },
  {
    id: 'open-project',
    keys: 'Ctrl/Cmd+O',
    bind: ['$mod+o'],
    accelerator: 'CmdOrCtrl+O',
    label: 'open a project',
    menu: { place: 'file', label: 'Open Project…' },
    inText: true,
  },
  {
    id: 'save',
    keys: 'Ctrl/Cmd+S',
    bind: ['$mod+s'],
    accelerator: 'CmdOrCtrl+S',
    label: 'save the project',
    menu: { place: 'file', label: 'Save' },
    inText: true,
  },
  {
    id: 'save-as',
    keys: 'Ctrl/Cmd+Shift+S',
    bind: ['$mod+Shift+s', '$mod+Shift+S'],
    accelerator: 'CmdOrCtrl+Shift+S',
    label: 'save the project as…',
    menu: { place: 'file', label: 'Save As…' },
    inText: true,
  },
  {
    id: 'import-preset',
    keys: '',
    bind: [],
    label: 'import a preset',
    menu: { place: 'file', label: 'Import Preset…' },
  },
  {
    id: 'export-preset',
    keys: '',
    bind: [],
    label: 'export a preset',
    menu: { place: 'file', label: 'Export Preset…' },
  },
  {
    id: 'undo',
    keys: 'Ctrl/Cmd+Z',
    bind: ['$mod+z'],
    accelerator: 'CmdOrCtrl+Z',
    label: 'undo',
    menu: { place: 'edit', label: 'Undo' },
  },
  {
    id: 'redo',
    keys: 'Ctrl/Cmd+Shift+Z',
    bind: ['$mod+Shift+z', '$mod+Shift+Z'],
    accelerator: 'CmdOrCtrl+Shift+Z',
    label: 'redo',
    menu: { place: 'edit', label: 'Redo' },
  },
  {
    id: 'settings',
    keys: 'Ctrl/Cmd+,',
    bind: ['$mod+,'],
    accelerator: 'CmdOrCtrl+,',
    label: 'settings',
    // Under Preferences in macOS's app menu, under Edit elsewhere (menu-template.ts).
    menu: { place: 'edit', label: 'Settings…' },
    inText: true,
  },
  {
    id: 'zoom-in',
    keys: '+ / −',
    bind: ['+', '=', 'Shift+='],
    label: 'zoom the timeline in / out',
  },
  { id: 'zoom-out', keys: '', bind: ['-'], label: 'zoom the timeline out' },
  {
    id: 'toggle-library',
    keys: '',
    bind: [],
    label: 'show or hide the library',
    menu: { place: 'view', label: 'Toggle Library' },
  },
  {
    id: 'toggle-queue',
    keys: '',
    bind: [],
    label: 'show or hide the queue',
    menu: { place: 'view', label: 'Toggle Queue' },
  },
  {
    id: 'toggle-inspector',
    keys: '',
    bind: [],
    label: 'show or hide the inspector',
    menu: { place: 'view', label: 'Toggle Inspector' },
  },
  {
    id: 'shortcuts-help',
    keys: '?',
    bind: ['Shift+?', '?'],
    label: 'list the shortcuts',
    menu: { place: 'help', label: 'Keyboard Shortcuts' },
  },
] as const satisfies readonly ShortcutDef[]

export type ShortcutId = (typeof SHORTCUT_TABLE)[number]['id']

/** The table typed as plain definitions (optional fields readable on every entry). */
export const SHORTCUT_DEFS: readonly ShortcutDef[] = SHORTCUT_TABLE

const IDS = new Set<string>(SHORTCUT_TABLE.map((s) => s.id))

/** A name that arrived over a transport (`app.command`) and is one of ours. */
export function isShortcutId(id: unknown): id is ShortcutId {
  return typeof id === 'string' && IDS.has(id)
}
