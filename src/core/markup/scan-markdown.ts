// Markdown (CommonMark with the usual extensions: $math$, footnotes, inline HTML). Line-level constructs
// first (fences, link definitions, heading markers, rules), then the inline ones in what is left.
import { TokenSink, codeSpanEnd, collapse, linesOf, mathKey, proseTokenAt, scanCodeSpan } from './scan-common';
import { htmlAt } from './scan-html';

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const LINK_DEFINITION = /^ {0,3}\[([^\]]+)\]:[ \t]*(<[^>]*>|\S+)(?:[ \t]+("[^"]*"|'[^']*'|\([^)]*\)))?[ \t]*$/;
const ATX_HEADING = /^ {0,3}(#{1,6})(?=[ \t]|$)/;
const RULE = /^ {0,3}([-=*_])(?:[ \t]*\1){2,}[ \t]*$/;
const AUTOLINK = /^<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/;
const EMAIL_AUTOLINK = /^<([^\s<>@]+@[^\s<>]+)>/;
const ESCAPABLE = /[!-/:-@[-`{-~]/;

export function scanMarkdown(text: string): TokenSink {
  const sink = new TokenSink();
  const lines = linesOf(text);
  let segmentStart = 0;
  const flush = (until: number) => {
    if (until > segmentStart) scanInline(text, segmentStart, until, sink);
  };
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    const fence = FENCE_OPEN.exec(line.text);
    if (fence && !(fence[2][0] === '`' && fence[3].includes('`'))) {
      flush(line.start);
      const [, indent, marker, info] = fence;
      const close = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}[ \\t]*$`);
      let k = n + 1;
      while (k < lines.length && !close.test(lines[k].text)) k++;
      // An unclosed fence runs to the end of the text, as in CommonMark.
      const last = Math.min(k, lines.length - 1);
      const stop = lines[last].start + lines[last].text.length;
      const content = lines
        .slice(n + 1, k)
        .map((l) => (l.text.startsWith(indent) ? l.text.slice(indent.length) : l.text).trimEnd());
      sink.add('code-block', text.slice(line.start, stop), line.start, `${info.trim()}\n${content.join('\n')}`);
      n = last;
      segmentStart = stop;
      continue;
    }
    const def = LINK_DEFINITION.exec(line.text);
    if (def) {
      flush(line.start);
      const url = def[2].replace(/^<|>$/g, '');
      sink.add(
        'link-definition',
        line.text.trim(),
        line.start,
        `[${collapse(def[1]).toLowerCase()}]: ${url}${def[3] ? ` ${def[3]}` : ''}`,
        'link-definition',
        [`url:${url}`],
      );
      segmentStart = line.start + line.text.length;
      continue;
    }
    const heading = ATX_HEADING.exec(line.text);
    if (heading)
      sink.add('heading', heading[1], line.start + heading[0].length - heading[1].length, heading[1], 'heading');
    else if (RULE.test(line.text)) {
      const char = line.text.trim()[0];
      sink.add('heading', line.text.trim(), line.start, `${char}${char}${char}`, 'heading');
    }
  }
  flush(text.length);
  return sink;
}

/** The end of the bracketed text starting at i ('[' or '![' excluded), i.e. the index of its ']', or -1. */
function closingBracket(text: string, i: number, end: number): number {
  let depth = 0;
  let j = i;
  while (j < end) {
    const c = text[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '`') {
      const close = codeSpanEnd(text, j, end);
      if (close > 0) {
        j = close;
        continue;
      }
    }
    if (c === '\n' && /^\n[ \t]*\n/.test(text.slice(j, j + 64))) return -1;
    if (c === '[') depth++;
    else if (c === ']') {
      if (depth === 0) return j;
      depth--;
    }
    j++;
  }
  return -1;
}

/** A link destination and optional title in (...) starting at i (text[i] is '('): its content and end. */
function destinationAt(text: string, i: number, end: number): { url: string; title: string; end: number } | undefined {
  let j = i + 1;
  while (j < end && /[ \t\n]/.test(text[j])) j++;
  let url = '';
  if (text[j] === '<') {
    const close = text.indexOf('>', j);
    if (close < 0 || close >= end) return undefined;
    url = text.slice(j + 1, close);
    j = close + 1;
  } else {
    let depth = 0;
    const from = j;
    while (j < end && !/[\s]/.test(text[j])) {
      if (text[j] === '\\') {
        j += 2;
        continue;
      }
      if (text[j] === '(') depth++;
      else if (text[j] === ')') {
        if (depth === 0) break;
        depth--;
      }
      j++;
    }
    url = text.slice(from, j);
  }
  while (j < end && /[ \t\n]/.test(text[j])) j++;
  let title = '';
  const q = text[j];
  if (q === '"' || q === "'" || q === '(') {
    const closeChar = q === '(' ? ')' : q;
    const close = text.indexOf(closeChar, j + 1);
    if (close < 0 || close >= end) return undefined;
    title = text.slice(j + 1, close);
    j = close + 1;
    while (j < end && /[ \t\n]/.test(text[j])) j++;
  }
  if (text[j] !== ')') return undefined;
  return { url, title, end: j + 1 };
}

/**
 * Pandoc's rule for $math$: an opening $ not followed by a space, a closing $ not after a space nor before
 * a digit. One more, for prices: a $ followed by a digit opens math only if it closes before any space
 * ($2$ is math, "$5 and $10" is not).
 */
function mathEnd(text: string, i: number, end: number): number {
  if (text.startsWith('$$', i)) {
    const close = text.indexOf('$$', i + 2);
    return close > i + 2 && close + 2 <= end ? close + 2 : -1;
  }
  if (i + 1 >= end || /\s/.test(text[i + 1])) return -1;
  const price = /[0-9]/.test(text[i + 1]);
  for (let j = i + 1; j < end; j++) {
    const c = text[j];
    if (price && /\s/.test(c)) return -1;
    if (c === '\\') {
      j++;
      continue;
    }
    if (c === '\n' && /^\n[ \t]*\n/.test(text.slice(j, j + 64))) return -1;
    if (c === '$') {
      if (/\s/.test(text[j - 1]) || /[0-9]/.test(text[j + 1] ?? '')) continue;
      return j + 1;
    }
  }
  return -1;
}

function scanInline(text: string, start: number, end: number, sink: TokenSink): void {
  let i = start;
  while (i < end) {
    const c = text[i];
    if (c === '\\' && ESCAPABLE.test(text[i + 1] ?? '')) {
      i += 2;
      continue;
    }
    if (c === '`') {
      i = scanCodeSpan(text, i, end, sink);
      continue;
    }
    if (c === '<') {
      const auto =
        AUTOLINK.exec(text.slice(i, Math.min(end, i + 2048))) ??
        EMAIL_AUTOLINK.exec(text.slice(i, Math.min(end, i + 512)));
      if (auto) {
        sink.add('url', auto[0], i, auto[1]);
        i += auto[0].length;
        continue;
      }
      const next = htmlAt(text, i, end, sink);
      if (next > i) {
        i = next;
        continue;
      }
    }
    if (c === '[' || (c === '!' && text[i + 1] === '[')) {
      const image = c === '!';
      const open = image ? i + 2 : i + 1;
      const close = closingBracket(text, open, end);
      if (close > 0) {
        const label = text.slice(open, close);
        if (!image && label.startsWith('^') && !label.includes(' ')) {
          sink.add('reference', text.slice(i, close + 1), i, `[${label}]`);
          i = close + 1;
          continue;
        }
        let stop = -1;
        let key = '';
        if (text[close + 1] === '(') {
          const dest = destinationAt(text, close + 1, end);
          if (dest) {
            stop = dest.end;
            key = `${dest.url}${dest.title ? ` "${dest.title}"` : ''}`;
            const kind = image ? 'image' : 'link';
            scanInline(text, open, close, sink);
            sink.add('link', text.slice(i, stop), i, `${kind}:${key}`, kind, [`url:${dest.url}`]);
            i = stop;
            continue;
          }
        } else if (text[close + 1] === '[') {
          const refClose = text.indexOf(']', close + 2);
          if (refClose > 0 && refClose < end && !text.slice(close + 2, refClose).includes('\n\n')) {
            const ref = text.slice(close + 2, refClose) || label;
            scanInline(text, open, close, sink);
            sink.add(
              'link',
              text.slice(i, refClose + 1),
              i,
              `ref:[${collapse(ref).toLowerCase()}]`,
              image ? 'image' : 'link',
            );
            i = refClose + 1;
            continue;
          }
        }
      }
      i += image ? 2 : 1;
      continue;
    }
    if (c === '$' && text[i + 1] !== '{') {
      const close = mathEnd(text, i, end);
      if (close > 0) {
        const math = text.slice(i, close);
        const delim = math.startsWith('$$') ? 2 : 1;
        sink.add('math', math, i, mathKey(math.slice(delim, math.length - delim)), 'math');
        i = close;
        continue;
      }
      i++;
      continue;
    }
    const next = proseTokenAt(text, i, sink, {}, end);
    i = next > i ? next : i + 1;
  }
}
