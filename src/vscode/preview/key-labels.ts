// The key hints the preview shows ("Accept (Ctrl+Enter)"), written from the keybindings the manifest
// contributes, so a hint can never name a key that does not do the thing, and per platform: a Mac shows
// ⌘ where Windows and Linux show Ctrl. When the extension cannot know the writer's platform (a browser
// or a remote window: the extension host runs elsewhere than the keyboard), both are shown.
// No `vscode` import: unit-tested in plain Node. Key names go through the caller's translator, as VS Code
// writes them in its own language (Strg in German); the Mac's symbols need none.
import { english, l10nKey, type Translate } from '../../core/translate';

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
  ctrl: l10nKey('Ctrl'),
  alt: l10nKey('Alt'),
  shift: l10nKey('Shift'),
  meta: l10nKey('Meta'),
  win: l10nKey('Win'),
  cmd: l10nKey('Meta'),
};
const PC_ORDER = ['ctrl', 'shift', 'alt', 'meta', 'win', 'cmd'];
const KEY_NAMES: Record<string, string> = {
  enter: l10nKey('Enter'),
  backspace: l10nKey('Backspace'),
  escape: l10nKey('Esc'),
  delete: l10nKey('Delete'),
  tab: l10nKey('Tab'),
  space: l10nKey('Space'),
  up: l10nKey('Up'),
  down: l10nKey('Down'),
  left: l10nKey('Left'),
  right: l10nKey('Right'),
  home: l10nKey('Home'),
  end: l10nKey('End'),
  pageup: l10nKey('PageUp'),
  pagedown: l10nKey('PageDown'),
};
const MAC_KEY_NAMES: Record<string, string> = { backspace: '⌫', escape: l10nKey('Esc'), enter: l10nKey('Enter') };

function keyName(key: string, mac: boolean, t: Translate): string {
  const k = key.toLowerCase();
  if (mac && MAC_KEY_NAMES[k]) return k === 'backspace' ? MAC_KEY_NAMES[k] : t(MAC_KEY_NAMES[k]);
  if (KEY_NAMES[k]) return t(KEY_NAMES[k]);
  // A key cap (a letter, a digit, F5, a bracket) reads the same in every language.
  return k.length === 1 ? k.toUpperCase() : k.charAt(0).toUpperCase() + k.slice(1);
}

/** One chord ("ctrl+shift+backspace") as VS Code writes it on `platform`: "Ctrl+Shift+Backspace" or "⇧⌘⌫". */
export function formatChord(chord: string, mac: boolean, t: Translate = english): string {
  const parts = chord.toLowerCase().split('+').filter(Boolean);
  const key = parts.pop() ?? '';
  const mods = new Set(parts);
  if (mac)
    return (
      MAC_ORDER.filter((m) => mods.has(m))
        .map((m) => MAC_MODIFIERS[m])
        .join('') + keyName(key, true, t)
    );
  return [...PC_ORDER.filter((m) => mods.has(m)).map((m) => t(PC_MODIFIERS[m])), keyName(key, false, t)].join('+');
}

/** A keybinding's key sequence on `platform` (chords separated by a space), as a label. */
function bindingLabel(
  b: ManifestKeybinding,
  platform: Exclude<KeyPlatform, undefined>,
  t: Translate,
): string | undefined {
  const spec = platform === 'mac' ? (b.mac ?? b.key) : platform === 'linux' ? (b.linux ?? b.key) : (b.win ?? b.key);
  if (!spec) return undefined;
  return spec
    .trim()
    .split(/\s+/)
    .map((chord) => formatChord(chord, platform === 'mac', t))
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
  t: Translate = english,
): string | undefined {
  const b = bindings.find((k) => k.command === command);
  if (!b) return undefined;
  if (platform) return bindingLabel(b, platform, t);
  const pc = bindingLabel(b, 'linux', t);
  const mac = bindingLabel(b, 'mac', t);
  return pc && mac && pc !== mac ? `${pc} / ${mac}` : (pc ?? mac);
}

/** "Accept (Ctrl+Enter)", or just "Accept" when the command has no key. */
export function withKey(title: string, key: string | undefined): string {
  return key ? `${title} (${key})` : title;
}
