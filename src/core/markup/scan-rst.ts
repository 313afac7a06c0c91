// reStructuredText: explicit markup (directives, targets, footnotes, comments), section adornments,
// literal and code blocks, and the inline roles, literals, references and substitutions.
import { TokenSink, codeSpanEnd, collapse, linesOf, mathKey, proseTokenAt } from './scan-common';

const ADORNMENT = /^([!-/:-@[-`{-~])\1{2,}[ \t]*$/;
const EXPLICIT = /^([ \t]*)\.\.(?:[ \t]+|$)(.*)$/;
const DIRECTIVE = /^(\|[^|]+\|[ \t]+)?([\w:+.-]+)::(?:[ \t]|$)/;
const FIELD = /^[ \t]*:([^:`\s][^:`]*):(?=[ \t]|$)/;
/** Directives whose body is code or math, not prose. */
const LITERAL_DIRECTIVES = new Set([
  'code',
  'code-block',
  'sourcecode',
  'math',
  'raw',
  'highlight',
  'testcode',
  'doctest',
  'productionlist',
  'graphviz',
  'mermaid',
  'parsed-literal',
  'literalinclude',
]);
/** Roles whose content is prose (the role must stay; its words may change). */
const PROSE_ROLES = new Set([
  'emphasis',
  'strong',
  'title-reference',
  't',
  'abbr',
  'sup',
  'sub',
  'superscript',
  'subscript',
  'guilabel',
  'dfn',
]);

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].length;
const isBlank = (line: string) => line.trim() === '';

export function scanRst(text: string): TokenSink {
  const sink = new TokenSink();
  const lines = linesOf(text);
  const lineEnd = (n: number) => lines[n].start + lines[n].text.length;
  /** The last line of the indented block after line n (blank lines inside included), or n when there is none. */
  const blockAfter = (n: number, indent: number): number => {
    let last = n;
    for (let k = n + 1; k < lines.length; k++) {
      if (isBlank(lines[k].text)) continue;
      if (indentOf(lines[k].text) <= indent) break;
      last = k;
    }
    return last;
  };
  /** The indentation of a paragraph that ended with "::", whose indented next block is literal; -1 when none. */
  let literalIndent = -1;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (literalIndent >= 0 && !isBlank(line.text)) {
      const outer = literalIndent;
      literalIndent = -1;
      if (indentOf(line.text) > outer) {
        const last = blockAfter(n - 1, outer);
        const body = lines
          .slice(n, last + 1)
          .map((l) => l.text.trimEnd())
          .join('\n');
        sink.add('code-block', text.slice(line.start, lineEnd(last)), line.start, body);
        n = last;
        continue;
      }
    }
    if (ADORNMENT.test(line.text)) {
      sink.add('heading', line.text.trim(), line.start, line.text.trim()[0].repeat(3), 'heading');
      continue;
    }
    const explicit = EXPLICIT.exec(line.text);
    if (explicit) {
      const [, indent, rest] = explicit;
      const directive = DIRECTIVE.exec(rest);
      if (directive) {
        const name = directive[2];
        sink.add('command', line.text.trim(), line.start, collapse(line.text), `directive:${name}`);
        if (LITERAL_DIRECTIVES.has(name)) {
          const last = blockAfter(n, indent.length);
          if (last > n) {
            const from = lines[n + 1].start;
            const body = lines
              .slice(n + 1, last + 1)
              .map((l) => l.text.trimEnd())
              .join('\n')
              .trim();
            sink.add(
              name === 'math' ? 'math' : 'code-block',
              text.slice(from, lineEnd(last)),
              from,
              name === 'math' ? mathKey(body) : body,
              name === 'math' ? 'math' : 'code-block',
            );
          }
          n = last;
        }
        continue;
      }
      if (/^_[^:]*:/.test(rest) || rest.startsWith('__ ')) {
        const url = /:\s*(\S+)\s*$/.exec(rest)?.[1];
        sink.add(
          'link-definition',
          line.text.trim(),
          line.start,
          collapse(rest),
          'link-definition',
          url ? [`url:${url}`] : undefined,
        );
        continue;
      }
      const footnote = /^\[(#?[\w-]*|\*|\d+)\]/.exec(rest);
      if (footnote) {
        sink.add('reference', `.. ${footnote[0]}`, line.start, `.. ${footnote[0]}`);
        const from = line.start + line.text.indexOf(footnote[0]) + footnote[0].length;
        scanInline(text, from, lineEnd(n), sink);
        continue;
      }
      // Anything else after ".." is a comment, with its indented continuation.
      const last = blockAfter(n, indent.length);
      sink.add(
        'comment',
        text.slice(line.start, lineEnd(last)),
        line.start,
        collapse(text.slice(line.start, lineEnd(last))),
      );
      n = last;
      continue;
    }
    const field = FIELD.exec(line.text);
    if (field) sink.add('command', `:${field[1]}:`, line.start + line.text.indexOf(':'), `:${field[1]}:`, 'field');
    const from = field ? line.start + field[0].length : line.start;
    scanInline(text, from, lineEnd(n), sink);
    if (/::[ \t]*$/.test(line.text)) literalIndent = indentOf(line.text);
  }
  return sink;
}

const ROLE = /^:([\w.+-]+(?::[\w.+-]+)?):`/;
const FOOTNOTE_REF = /^\[(#?[\w-]*|\*|\d+)\]_/;
const SUBSTITUTION = /^\|[^|\s](?:[^|]*[^|\s])?\|(?:__?)?/;
const NAMED_REF = /^[A-Za-z0-9][\w.+-]*?__?(?=[\s.,;:!?)'"\]]|$)/;

function scanInline(text: string, start: number, end: number, sink: TokenSink): void {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === '\\') {
      i += 2;
      continue;
    }
    const rest = () => text.slice(i, Math.min(end, i + 1024));
    if (c === '`' && text[i + 1] === '`') {
      const close = text.indexOf('``', i + 2);
      if (close > 0 && close + 2 <= end) {
        sink.add('code', text.slice(i, close + 2), i, collapse(text.slice(i + 2, close)));
        i = close + 2;
        continue;
      }
    }
    if (c === ':') {
      const role = ROLE.exec(rest());
      if (role) {
        const open = i + role[0].length - 1;
        const close = text.indexOf('`', open + 1);
        if (close > 0 && close < end) {
          const name = role[1];
          const content = collapse(text.slice(open + 1, close));
          const whole = text.slice(i, close + 1);
          if (name === 'math') sink.add('math', whole, i, mathKey(content), 'math');
          else
            sink.add('command', whole, i, PROSE_ROLES.has(name) ? `:${name}:` : `:${name}:${content}`, `role:${name}`);
          i = close + 1;
          continue;
        }
      }
    }
    if (c === '`') {
      const close = codeSpanEnd(text, i, end);
      if (close > 0) {
        let stop = close;
        while (text[stop] === '_' && stop - close < 2) stop++;
        const content = text.slice(i + 1, close - 1);
        if (stop > close) {
          const embedded = /^([\s\S]*?)\s*<([^<>]+)>$/.exec(content);
          if (embedded) sink.add('link', text.slice(i, stop), i, embedded[2], 'link', [`url:${embedded[2]}`]);
          else sink.add('reference', text.slice(i, stop), i, collapse(content).toLowerCase());
        } else {
          sink.add('code', text.slice(i, stop), i, collapse(content));
        }
        i = stop;
        continue;
      }
    }
    if (c === '[') {
      const m = FOOTNOTE_REF.exec(rest());
      if (m) {
        sink.add('reference', m[0], i, m[0]);
        i += m[0].length;
        continue;
      }
    }
    if (c === '|') {
      const m = SUBSTITUTION.exec(rest());
      if (m && (i === 0 || /[\s(]/.test(text[i - 1]))) {
        sink.add('reference', m[0], i, m[0]);
        i += m[0].length;
        continue;
      }
    }
    const next = proseTokenAt(text, i, sink, {}, end);
    if (next > i) {
      i = next;
      continue;
    }
    if (/[A-Za-z0-9]/.test(c) && (i === 0 || /[\s(]/.test(text[i - 1]))) {
      const m = NAMED_REF.exec(rest());
      if (m) {
        sink.add('reference', m[0], i, m[0].toLowerCase());
        i += m[0].length;
        continue;
      }
      while (i < end && /[\w.+-]/.test(text[i])) i++;
      continue;
    }
    i++;
  }
}
