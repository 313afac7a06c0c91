// LaTeX: commands with their arguments, environments, math, verbatim and % comments.
//
// What must survive of a command depends on what its arguments are. Reference-like commands (\cite,
// \ref, \label, \eqref, \url, \includegraphics, \gls, and any command we do not know) keep every argument
// word for word: \cite[p.~3]{knuth84} must come back exactly. Commands that wrap prose (\emph, \textbf,
// \footnote, \section, \caption, ...) only need the command itself: their argument is the writer's
// prose, which the rewrite may change, and it is scanned for nested tokens (\emph{see \cite{x}} protects
// both). Character escapes, accents and typographic macros (\%, \&, \'e, \ldots) are orthography, not
// markup: a rewrite may drop the word they were in.
import { TokenSink, collapse, mathKey } from './scan-common';

type ArgRole = 'key' | 'prose';
interface Signature {
  /** The role of [optional] arguments. */
  optional: ArgRole;
  /** Roles of the {mandatory} arguments in order; the last one repeats. */
  required: ArgRole[];
}

const PROSE: Signature = { optional: 'prose', required: ['prose'] };
const KEY: Signature = { optional: 'key', required: ['key'] };
const SIGNATURES: Record<string, Signature> = {
  href: { optional: 'key', required: ['key', 'prose'] },
  hyperref: { optional: 'key', required: ['prose'] },
  textcolor: { optional: 'key', required: ['key', 'prose'] },
  colorbox: { optional: 'key', required: ['key', 'prose'] },
  foreignlanguage: { optional: 'key', required: ['key', 'prose'] },
  footnote: { optional: 'key', required: ['prose'] },
  item: { optional: 'prose', required: [] },
};
for (const name of [
  'emph',
  'textbf',
  'textit',
  'textsl',
  'textsc',
  'textup',
  'textmd',
  'textrm',
  'textsf',
  'textnormal',
  'underline',
  'uline',
  'uuline',
  'sout',
  'hl',
  'ul',
  'footnotetext',
  'marginpar',
  'marginnote',
  'todo',
  'part',
  'chapter',
  'section',
  'subsection',
  'subsubsection',
  'paragraph',
  'subparagraph',
  'caption',
  'title',
  'subtitle',
  'enquote',
  'textquote',
  'mbox',
  'fbox',
  'intertext',
  'shortintertext',
  'frametitle',
  'framesubtitle',
  'abstract',
  'thanks',
])
  SIGNATURES[name] = PROSE;

/** Accents, escapes and typographic macros with letter names: orthography, so not protected. */
const ORTHOGRAPHY = new Set([
  'c',
  'v',
  'H',
  'u',
  'k',
  'r',
  'b',
  'd',
  't',
  'i',
  'j',
  'l',
  'L',
  'o',
  'O',
  'ae',
  'AE',
  'oe',
  'OE',
  'aa',
  'AA',
  'ss',
  'ldots',
  'dots',
  'textellipsis',
  'textendash',
  'textemdash',
  'textquoteleft',
  'textquoteright',
  'textquotedblleft',
  'textquotedblright',
  'slash',
  'ie',
  'eg',
  'etc',
  'etal',
  'cf',
  'vs',
]);
const MATH_ENVIRONMENTS = new Set([
  'equation',
  'align',
  'gather',
  'multline',
  'eqnarray',
  'math',
  'displaymath',
  'flalign',
  'alignat',
  'dmath',
  'subequations',
]);
const VERBATIM_ENVIRONMENTS = new Set([
  'verbatim',
  'Verbatim',
  'lstlisting',
  'minted',
  'comment',
  'alltt',
  'BVerbatim',
  'LVerbatim',
]);

const baseName = (env: string) => env.replace(/\*$/, '');

/** The end of a balanced group opened at i (text[i] is open), skipping escaped characters; -1 when unclosed. */
export function groupEnd(text: string, i: number, open: string, close: string, end = text.length): number {
  let depth = 0;
  for (let j = i; j < end; j++) {
    const c = text[j];
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '%') {
      const nl = text.indexOf('\n', j);
      if (nl < 0) return -1;
      j = nl;
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  return -1;
}

/** The end of the comment or line at i: the index of the next line break, or the end. */
function lineEnd(text: string, i: number, end: number): number {
  const nl = text.indexOf('\n', i);
  return nl < 0 || nl > end ? end : nl;
}

/** The position of an unescaped `needle` at or after i, or -1. */
function findUnescaped(text: string, needle: string, i: number, end: number): number {
  for (let j = i; j < end; j++) {
    if (text[j] === '\\' && !text.startsWith(needle, j)) {
      j++;
      continue;
    }
    if (text.startsWith(needle, j)) return j;
  }
  return -1;
}

interface Arg {
  role: ArgRole;
  open: string;
  start: number;
  end: number;
}

export function scanLatex(text: string): TokenSink {
  const sink = new TokenSink();
  scan(text, 0, text.length, sink);
  return sink;
}

function scan(text: string, start: number, end: number, sink: TokenSink): void {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === '%') {
      const stop = lineEnd(text, i, end);
      sink.add('comment', text.slice(i, stop), i, collapse(text.slice(i + 1, stop)));
      i = stop;
      continue;
    }
    if (c === '$') {
      i = dollarMath(text, i, end, sink);
      continue;
    }
    if (c !== '\\') {
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next === '(' || next === '[') {
      const closer = next === '(' ? '\\)' : '\\]';
      const close = findUnescaped(text, closer, i + 2, end);
      if (close < 0) {
        i += 2;
        continue;
      }
      sink.add('math', text.slice(i, close + 2), i, mathKey(text.slice(i + 2, close)), 'math');
      i = close + 2;
      continue;
    }
    if (next === '\\') {
      let stop = i + 2;
      if (text[stop] === '*') stop++;
      if (text[stop] === '[') stop = Math.max(stop, groupEnd(text, stop, '[', ']', end));
      sink.add('command', text.slice(i, stop), i, '\\\\', 'cmd:\\\\');
      i = stop;
      continue;
    }
    const name = /^[A-Za-z@]+\*?/.exec(text.slice(i + 1, i + 64))?.[0];
    if (!name) {
      i += 2;
      continue;
    } // \%, \$, \&, \_, \#, \{, \}, \', \,, ...: orthography and spacing
    i = command(text, i, name, end, sink);
  }
}

function dollarMath(text: string, i: number, end: number, sink: TokenSink): number {
  const display = text[i + 1] === '$';
  const delim = display ? '$$' : '$';
  for (let j = i + delim.length; j < end; j++) {
    const c = text[j];
    if (c === '\\') {
      j++;
      continue;
    }
    // Inline math never crosses a blank line; an unmatched $ is left as text.
    if (c === '\n' && !display && /^\n[ \t]*\n/.test(text.slice(j, j + 64))) break;
    if (text.startsWith(delim, j)) {
      sink.add('math', text.slice(i, j + delim.length), i, mathKey(text.slice(i + delim.length, j)), 'math');
      return j + delim.length;
    }
  }
  return i + delim.length;
}

function command(text: string, i: number, name: string, end: number, sink: TokenSink): number {
  let stop = i + 1 + name.length;
  const bare = baseName(name);
  if (bare === 'begin' || bare === 'end') return environment(text, i, stop, bare, end, sink);
  if (bare === 'verb') {
    const delim = text[stop];
    const close = delim ? text.indexOf(delim, stop + 1) : -1;
    if (close < 0 || close >= end) return stop;
    sink.add('code', text.slice(i, close + 1), i, text.slice(stop + 1, close));
    return close + 1;
  }
  if (ORTHOGRAPHY.has(name)) return stop;
  const signature = SIGNATURES[bare] ?? KEY;
  const args: Arg[] = [];
  let required = 0;
  for (;;) {
    const open = text[stop];
    if (open !== '[' && open !== '{') break;
    const close = open === '[' ? groupEnd(text, stop, '[', ']', end) : groupEnd(text, stop, '{', '}', end);
    if (close < 0) break;
    const role =
      open === '['
        ? signature.optional
        : (signature.required[Math.min(required++, signature.required.length - 1)] ?? 'key');
    args.push({ role, open, start: stop + 1, end: close - 1 });
    stop = close;
  }
  const argsKey = args
    .map((a) => (a.role === 'key' ? wrap(a.open, argKey(text.slice(a.start, a.end))) : wrap(a.open, '…')))
    .join('');
  const key = `\\${name}${argsKey}`;
  sink.add('command', text.slice(i, stop), i, key, `cmd:\\${bare}`);
  for (const a of args) if (a.role === 'prose') scan(text, a.start, a.end, sink);
  return stop;
}

const wrap = (open: string, inner: string) => (open === '[' ? `[${inner}]` : `{${inner}}`);
/** Spacing inside key arguments does not matter: \cite{a, b} is \cite{a,b}. */
const argKey = (s: string) => collapse(s).replace(/\s*,\s*/g, ',');

function environment(
  text: string,
  i: number,
  stop: number,
  which: 'begin' | 'end',
  end: number,
  sink: TokenSink,
): number {
  const nameEnd = text[stop] === '{' ? groupEnd(text, stop, '{', '}', end) : -1;
  if (nameEnd < 0) {
    sink.add('command', text.slice(i, stop), i, `\\${which}`, `cmd:\\${which}`);
    return stop;
  }
  const env = text.slice(stop + 1, nameEnd - 1).trim();
  if (which === 'begin' && (MATH_ENVIRONMENTS.has(baseName(env)) || VERBATIM_ENVIRONMENTS.has(baseName(env)))) {
    const closing = `\\end{${env}}`;
    const close = text.indexOf(closing, nameEnd);
    if (close >= 0 && close + closing.length <= end) {
      const whole = text.slice(i, close + closing.length);
      const content = text.slice(nameEnd, close);
      if (MATH_ENVIRONMENTS.has(baseName(env))) sink.add('math', whole, i, `${env}:${mathKey(content)}`, 'math');
      else sink.add('code-block', whole, i, `${env}:${content.replace(/[ \t]+$/gm, '')}`);
      return close + closing.length;
    }
  }
  let after = nameEnd;
  // \begin{tabular}{ll}, \begin{figure}[h]: the arguments are part of what must survive.
  while (which === 'begin' && (text[after] === '{' || text[after] === '[')) {
    const close = text[after] === '{' ? groupEnd(text, after, '{', '}', end) : groupEnd(text, after, '[', ']', end);
    if (close < 0) break;
    after = close;
  }
  const whole = text.slice(i, after);
  sink.add('environment', whole, i, `\\${which}{${env}}${argKey(text.slice(nameEnd, after))}`, `env:${which}`);
  return after;
}
