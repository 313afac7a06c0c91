// The key hints the preview shows ("Accept (Ctrl+Enter)"), written from the keybindings the manifest
// contributes, so a hint can never name a key that does not do the thing, and per platform: a Mac shows
// ⌘ where Windows and Linux show Ctrl. When the extension cannot know the writer's platform (a browser
// or a remote window: the extension host runs elsewhere than the keyboard), both are shown.
// No `vscode` import: unit-tested in plain Node.

/** The platform of the writer's keyboard; undefined when the extension cannot tell. */
export type KeyPlatform = 'mac' | 'linux' | 'windows' | undefined;

/** A keybinding as package.json contributes it. */
export interface ManifestKeybinding {
  command: string;
  key?: string;
  mac?: string;
  linux?: string;
  win?: string;
  when?: string;
}

const MAC_MODIFIERS: Record<string, string> = { ctrl: '⌃', alt: '⌥', shift: '⇧', cmd: '⌘', meta: '⌘' };
const MAC_ORDER = ['ctrl', 'alt', 'shift', 'cmd', 'meta'];
const PC_MODIFIERS: Record<string, string> = {
  ctrl: 'Ctrl',
  alt: 'Alt',
  shift: 'Shift',
  meta: 'Meta',
  win: 'Win',
  cmd: 'Meta',
};
const PC_ORDER = ['ctrl', 'shift', 'alt', 'meta', 'win', 'cmd'];
const KEY_NAMES: Record<string, string> = {
  enter: 'Enter',
  backspace: 'Backspace',
  escape: 'Esc',
  delete: 'Delete',
  tab: 'Tab',
  space: 'Space',
  up: 'Up',
  down: 'Down',
  left: 'Left',
  right: 'Right',
  home: 'Home',
  end: 'End',
  pageup: 'PageUp',
  pagedown: 'PageDown',
};
const MAC_KEY_NAMES: Record<string, string> = { backspace: '⌫', escape: 'Esc', enter: 'Enter' };

function keyName(key: string, mac: boolean): string {
  const k = key.toLowerCase();
  if (mac && MAC_KEY_NAMES[k]) return MAC_KEY_NAMES[k];
  return KEY_NAMES[k] ?? (k.length === 1 ? k.toUpperCase() : k.charAt(0).toUpperCase() + k.slice(1));
}

/** One chord ("ctrl+shift+backspace") as VS Code writes it on `platform`: "Ctrl+Shift+Backspace" or "⇧⌘⌫". */
export function formatChord(chord: string, mac: boolean): string {
  const parts = chord.toLowerCase().split('+').filter(Boolean);
  const key = parts.pop() ?? '';
  const mods = new Set(parts);
  if (mac)
    return (
      MAC_ORDER.filter((m) => mods.has(m))
        .map((m) => MAC_MODIFIERS[m])
        .join('') + keyName(key, true)
    );
  return [...PC_ORDER.filter((m) => mods.has(m)).map((m) => PC_MODIFIERS[m]), keyName(key, false)].join('+');
}

/** A keybinding's key sequence on `platform` (chords separated by a space), as a label. */
function bindingLabel(b: ManifestKeybinding, platform: Exclude<KeyPlatform, undefined>): string | undefined {
  const spec = platform === 'mac' ? (b.mac ?? b.key) : platform === 'linux' ? (b.linux ?? b.key) : (b.win ?? b.key);
  if (!spec) return undefined;
  return spec
    .trim()
    .split(/\s+/)
    .map((chord) => formatChord(chord, platform === 'mac'))
    .join(' ');
}

/**
 * The label of `command`'s first contributed keybinding on `platform` ("Ctrl+Enter", "⌘Enter"); when the
 * platform is unknown, the Windows/Linux and the Mac label side by side ("Ctrl+Enter / ⌘Enter").
 * Undefined when the command has no keybinding.
 */
export function keyLabel(
  command: string,
  bindings: readonly ManifestKeybinding[],
  platform: KeyPlatform,
): string | undefined {
  const b = bindings.find((k) => k.command === command);
  if (!b) return undefined;
  if (platform) return bindingLabel(b, platform);
  const pc = bindingLabel(b, 'linux');
  const mac = bindingLabel(b, 'mac');
  return pc && mac && pc !== mac ? `${pc} / ${mac}` : (pc ?? mac);
}

/** "Accept (Ctrl+Enter)", or just "Accept" when the command has no key. */
export function withKey(title: string, key: string | undefined): string {
  return key ? `${title} (${key})` : title;
}
