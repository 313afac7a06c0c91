// The pseudo locale the l10n tests use: every message of l10n/bundle.l10n.json with each run of its own
// words wrapped in ⟦…⟧ and its {0}, {1}… left outside, so an argument shows as what it is (data the test
// names, or a word that skipped the bundle). Whatever a person sees must then be markers, data or no letter.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Translate } from '../../../src/core/translate';

export const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export function englishBundle(): Record<string, string> {
  return JSON.parse(readFileSync(path.join(ROOT, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, string>;
}

/** "Open {0} at line {1}" → "⟦Open ⟧{0}⟦ at line ⟧{1}". */
export function pseudo(message: string): string {
  return message
    .split(/(\{\d+\})/)
    .map((part) => (!part || /^\{\d+\}$/.test(part) ? part : `⟦${part}⟧`))
    .join('');
}

export function pseudoBundle(bundle: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(bundle).map(([k, v]) => [k, pseudo(v)]));
}

/** vscode.l10n.t over `bundle`: the translation when the message is in it, else the English message. */
export function translator(bundle: Record<string, string>, asked?: Set<string>): Translate {
  return (message, ...args) => {
    asked?.add(message);
    const text = bundle[message] ?? message;
    return text.replace(/\{(\d+)\}/g, (whole, i: string) =>
      Number(i) < args.length ? String(args[Number(i)]) : whole,
    );
  };
}

/**
 * What of `visible` came through no translation: runs of spaces made one, `data` cut out (longest first),
 * then every ⟦…⟧ (innermost first); '' when what is left holds no letter, else what is left.
 */
export function untranslated(visible: string, data: readonly string[]): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ');
  let rest = flat(visible);
  for (const d of data
    .map(flat)
    .filter((d) => d.trim())
    .sort((a, b) => b.length - a.length))
    rest = rest.split(d).join(' ');
  for (let before = ''; before !== rest;) {
    before = rest;
    rest = rest.replace(/⟦[^⟦⟧]*⟧/g, ' ');
  }
  return /\p{L}/u.test(rest) ? rest.replace(/\s+/g, ' ').trim() : '';
}

/** What a person sees of the editor's Markdown (zones, tooltips): no tags, codicons, link targets or escapes. */
export function shownMarkdown(md: string): string {
  return md
    .replace(/\]\(command:[^\s)]*(?: "(?:[^"\\]|\\.)*")?\)/g, ']')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\$\([a-z-~]+\)/g, ' ')
    .replace(/&nbsp;|&lt;|&gt;|&amp;/g, ' ')
    .replace(/\\([!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~])/g, '$1');
}
