// Pieces every scanner shares: a token list, whitespace-insensitive keys, and the inline constructs that
// mean the same in every family (URLs, e-mail addresses, placeholders, `code spans`).
import type { MarkupKind, MarkupToken } from './types';

/** Whitespace runs (including line breaks) as one space, trimmed: reflowing a token never alters it. */
export function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The key of math content: whitespace does not matter in math, except that it ends a control word
 * (\alpha x is not \alphax), so only that space is kept.
 */
export function mathKey(text: string): string {
  return text
    .replace(/\\\s/g, '\\\u0002')
    .replace(/(\\[A-Za-z]+)\s+(?=[A-Za-z@])/g, '$1\u0001')
    .replace(/\s+/g, '')
    .replace(/\u0001/g, ' ')
    .replace(/\u0002/g, ' ');
}

export class TokenSink {
  readonly tokens: MarkupToken[] = [];
  add(kind: MarkupKind, text: string, start: number, key: string, family: string = kind, aliases?: string[]): void {
    this.tokens.push({ kind, text, start, key: `${kind}:${key}`, family, ...(aliases?.length ? { aliases } : {}) });
  }
}

const WORD = /[A-Za-z0-9]/;
/** True when position i starts a word (the previous character is not a letter or digit). */
export function atWordStart(text: string, i: number): boolean {
  return i === 0 || !WORD.test(text[i - 1]);
}

const URL_START = /^(?:https?:\/\/|ftp:\/\/|mailto:|www\.)[^\s<>"'`]+/i;
const EMAIL = /^[A-Za-z0-9][\w.+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/;

/**
 * The bare URL starting at i, without the sentence punctuation that follows it and without a closing
 * bracket it did not open (so "(see https://a.org/x)." gives https://a.org/x).
 */
export function urlAt(text: string, i: number, end = text.length): string | undefined {
  if (!atWordStart(text, i) || !/[hfmwHFMW]/.test(text[i])) return undefined;
  const m = URL_START.exec(text.slice(i, Math.min(end, i + 2048)));
  if (!m) return undefined;
  let url = m[0];
  for (;;) {
    const last = url[url.length - 1];
    if (/[.,;:!?*_~'"]/.test(last)) url = url.slice(0, -1);
    else if (last === ')' && count(url, '(') < count(url, ')')) url = url.slice(0, -1);
    else if (last === ']' && count(url, '[') < count(url, ']')) url = url.slice(0, -1);
    else if (last === '}' && count(url, '{') < count(url, '}')) url = url.slice(0, -1);
    else break;
  }
  return /^(?:https?:\/\/|ftp:\/\/|mailto:|www\.)./i.test(url) ? url : undefined;
}

export function emailAt(text: string, i: number, end = text.length): string | undefined {
  if (!atWordStart(text, i) || !WORD.test(text[i]) || (i > 0 && /[.+\-@]/.test(text[i - 1]))) return undefined;
  const m = EMAIL.exec(text.slice(i, Math.min(end, i + 320)));
  return m ? m[0].replace(/\.+$/, '') : undefined;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

const PLACEHOLDERS: RegExp[] = [
  /^\{\{[^{}\n]*\}\}/, // {{ name }} (Mustache, Jinja)
  /^\{%[^\n]*?%\}/, // {% tag %} (Jinja)
  /^\$\{[^{}\n]+\}/, // ${name} (template literals, shell)
  /^\{[A-Za-z_][\w.[\]-]*(?:![rsa])?(?::[^{}\s]*)?\}/, // {name}, {user.name!r:>10} (format strings)
  /^\{\d+(?::[^{}\s]*)?\}/, // {0}
  /^%\([\w.]+\)[-#0+]*\d*(?:\.\d+)?[sdifrxXeEgGc]/, // %(name)s
];
const PRINTF = /^%[-+0#]*\d*(?:\.\d+)?[sdif](?![A-Za-z0-9])/;

/** A placeholder starting at i: {name}, {{ name }}, {% tag %}, ${name}, {0}, %(name)s, %s, %d. */
export function placeholderAt(text: string, i: number, end = text.length): string | undefined {
  const c = text[i];
  if (c !== '{' && c !== '$' && c !== '%') return undefined;
  const rest = text.slice(i, Math.min(end, i + 256));
  for (const re of PLACEHOLDERS) {
    const m = re.exec(rest);
    if (m) return m[0];
  }
  if (c === '%' && (i === 0 || !WORD.test(text[i - 1]))) return PRINTF.exec(rest)?.[0];
  return undefined;
}

/** The end of a `code span` starting at i (a run of n backticks closed by a run of exactly n), or -1. */
export function codeSpanEnd(text: string, i: number, limit = text.length): number {
  let n = 0;
  while (text[i + n] === '`') n++;
  let j = i + n;
  while (j < limit) {
    if (text[j] !== '`') {
      // A code span never crosses a blank line.
      if (text[j] === '\n' && /^\n[ \t]*\n/.test(text.slice(j, j + 64))) return -1;
      j++;
      continue;
    }
    let m = 0;
    while (text[j + m] === '`') m++;
    if (m === n) return j + m;
    j += m;
  }
  return -1;
}

/**
 * At a backtick: records the code span starting at i and returns the index after it, or, for a run of
 * backticks that closes nothing, returns the index after the run (it is plain text).
 */
export function scanCodeSpan(text: string, i: number, end: number, sink: TokenSink): number {
  const close = codeSpanEnd(text, i, end);
  if (close > 0) {
    const span = text.slice(i, close);
    sink.add('code', span, i, codeSpanKey(span));
    return close;
  }
  let j = i;
  while (text[j] === '`') j++;
  return j;
}

/** The key of a code span: its content with line breaks as spaces and one padding space stripped. */
export function codeSpanKey(span: string): string {
  const ticks = /^`+/.exec(span)![0].length;
  let inner = span.slice(ticks, span.length - ticks).replace(/\r?\n/g, ' ');
  if (inner.length > 1 && inner.startsWith(' ') && inner.endsWith(' ') && inner.trim()) inner = inner.slice(1, -1);
  return inner;
}

export interface ProseOptions {
  /** `code spans` count (not in LaTeX, where backticks are quotes). */
  codeSpans?: boolean;
  placeholders?: boolean;
}

/**
 * The constructs plain prose can hold, in [start, end): code spans, URLs, e-mail addresses and
 * placeholders. Returns nothing; tokens go to the sink.
 */
export function scanProse(text: string, start: number, end: number, sink: TokenSink, options: ProseOptions = {}): void {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === '`' && options.codeSpans !== false) {
      i = scanCodeSpan(text, i, end, sink);
      continue;
    }
    const step = proseTokenAt(text, i, sink, options, end);
    i = step > i ? step : i + 1;
  }
}

/**
 * A LaTeX-style command whose braced arguments are keys (\cite{a}, \cite{a, b}, \ref{fig:1}) written
 * outside LaTeX: in Markdown (Pandoc, Quarto), plain text or a comment it is one token, named as the
 * writer typed it, so a report says "lost: \cite{a}" rather than naming only the braces as a placeholder.
 * Arguments holding prose (\textbf{two words}) are not keys and stay unprotected, as before.
 */
const LATEX_LIKE = /^\\([A-Za-z]+)\*?(?:\[[^[\]{}\n]*\])?(?:\{[^{}\s,]+(?:,\s*[^{}\s,]+)*\})+/;

/** A URL, e-mail address, LaTeX-style command or placeholder at i (ending by `end`): adds it and returns its end. */
export function proseTokenAt(
  text: string,
  i: number,
  sink: TokenSink,
  options: ProseOptions = {},
  end = text.length,
): number {
  if (text[i] === '\\') {
    const m = LATEX_LIKE.exec(text.slice(i, Math.min(end, i + 1024)));
    if (m) {
      // Spacing inside the braces does not matter (\cite{a, b} is \cite{a,b}), as in the LaTeX scanner.
      sink.add('command', m[0], i, collapse(m[0]).replace(/\s*([,{}])\s*/g, '$1'), `cmd:\\${m[1]}`);
      return i + m[0].length;
    }
  }
  const url = urlAt(text, i, end);
  if (url) {
    sink.add('url', url, i, url);
    return i + url.length;
  }
  const email = emailAt(text, i, end);
  if (email) {
    sink.add('url', email, i, email);
    return i + email.length;
  }
  if (options.placeholders !== false) {
    const p = placeholderAt(text, i, end);
    if (p) {
      // {{ name }} is {{name}}: spacing inside the braces does not matter to template engines.
      sink.add(
        'placeholder',
        p,
        i,
        collapse(p)
          .replace(/^(\{\{|\{%|\$\{|\{)\s+/, '$1')
          .replace(/\s+(\}\}|%\}|\})$/, '$1'),
      );
      return i + p.length;
    }
  }
  return i;
}

/** Each line with its start offset and its text without the line break. */
export function linesOf(text: string): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const raw = text.slice(start, nl < 0 ? text.length : nl);
    out.push({ start, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw });
    if (nl < 0) return out;
    start = nl + 1;
  }
}
