// HTML (and the HTML inside Markdown): tags with their attributes, comments, and elements whose content is
// code rather than prose (<pre>, <code>, <script>, <style>, <textarea>), which must survive whole.
import { TokenSink, collapse, proseTokenAt } from './scan-common';

const TAG =
  /^<(\/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[^\s"'<>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>=`]+))?)*)\s*(\/?)>/;
const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'<>=`]+))?/g;
const VERBATIM_ELEMENTS = new Set(['pre', 'code', 'script', 'style', 'textarea']);
/** Attributes whose values are prose a rewrite may reword; only their presence counts. */
const PROSE_ATTRIBUTES = new Set(['alt', 'title', 'aria-label', 'aria-description', 'placeholder']);

/**
 * A tag's key: the name in lower case and each attribute as name="value" in the order written, so quoting
 * style, spacing and a self-closing slash do not count as changes but a changed value does (except in
 * prose attributes such as alt and title).
 */
function tagKey(closing: string, name: string, attributes: string): string {
  const attrs: string[] = [];
  for (const m of attributes.matchAll(ATTRIBUTE)) {
    const name = m[1].toLowerCase();
    const value = m[2] === undefined || PROSE_ATTRIBUTES.has(name) ? undefined : m[2].replace(/^["']|["']$/g, '');
    attrs.push(value === undefined ? name : `${name}="${value}"`);
  }
  return `<${closing}${name.toLowerCase()}${attrs.map((a) => ` ${a}`).join('')}>`;
}

/** An HTML comment, tag or verbatim element at i (text[i] is '<'): adds it and returns its end, or returns i. */
export function htmlAt(text: string, i: number, end: number, sink: TokenSink): number {
  if (text.startsWith('<!--', i)) {
    const close = text.indexOf('-->', i + 4);
    const stop = close < 0 || close + 3 > end ? end : close + 3;
    const comment = text.slice(i, stop);
    sink.add('html-comment', comment, i, collapse(comment));
    return stop;
  }
  const m = TAG.exec(text.slice(i, Math.min(end, i + 4096)));
  if (!m) return i;
  const [whole, closing, name, attributes] = m;
  const lower = name.toLowerCase();
  if (!closing && VERBATIM_ELEMENTS.has(lower)) {
    const closeTag = new RegExp(`</${lower}\\s*>`, 'i');
    const rest = text.slice(i + whole.length, end);
    const c = closeTag.exec(rest);
    if (c) {
      const stop = i + whole.length + c.index + c[0].length;
      const element = text.slice(i, stop);
      const content = text.slice(i + whole.length, i + whole.length + c.index);
      sink.add(lower === 'code' ? 'code' : 'code-block', element, i, `${tagKey('', name, attributes)}${content}`);
      return stop;
    }
  }
  sink.add('html-tag', whole, i, tagKey(closing, name, attributes), `tag:${closing}${lower}`);
  return i + whole.length;
}

/** An HTML document (or fragment): tags, comments and verbatim elements, and URLs and placeholders in its text. */
export function scanHtml(text: string): TokenSink {
  const sink = new TokenSink();
  let i = 0;
  while (i < text.length) {
    if (text[i] === '<') {
      const next = htmlAt(text, i, text.length, sink);
      i = next > i ? next : i + 1;
      continue;
    }
    const next = proseTokenAt(text, i, sink);
    i = next > i ? next : i + 1;
  }
  return sink;
}
