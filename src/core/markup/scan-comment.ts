// Code comments: the comment markers that keep the text a comment, any code lines in the selection, and
// the inline constructs inside the comment's wording (`code`, URLs, placeholders, JSDoc/Doxygen tags).
//
// Line markers are not counted one by one: rewording a comment may well change how many lines it takes.
// What matters is that every line of the proposal is still a comment (or one of the selection's own code
// lines), and that JSDoc-style blocks keep their leading * on every line. Block delimiters (/* and */,
// Python's """) are counted like any token.
import { commentSyntax, type CommentSyntax } from './family';
import { TokenSink, atWordStart, collapse, linesOf, proseTokenAt, scanCodeSpan } from './scan-common';
import type { MarkupProblem } from './types';
import { l10nKey } from '../translate';

export type LineKind = 'blank' | 'line-comment' | 'block' | 'code';
export interface CommentLine {
  kind: LineKind;
  start: number;
  text: string;
  /** The line marker of a line comment. */
  marker?: string;
  /** A line inside a block comment (not its opening line) that starts with '*'. */
  star?: boolean;
  /** Inside a block comment and neither its opening nor its closing line. */
  inner?: boolean;
}

interface Analysis {
  lines: CommentLine[];
  sink: TokenSink;
  /** Whether the text holds any comment marker or delimiter at all (a selection inside a comment has none). */
  marked: boolean;
}

const JSDOC_TAG = /^@[A-Za-z]+/;
const JSDOC_NAMED = new Set([
  '@param',
  '@arg',
  '@argument',
  '@property',
  '@prop',
  '@template',
  '@typedef',
  '@callback',
  '@throws',
  '@exception',
  '@see',
]);

/** Where a trailing comment starts in a code line (outside string quotes, after whitespace), or -1. */
export function trailingComment(line: string, syntax: CommentSyntax): number {
  const markers = [...syntax.line, ...syntax.block.map(([open]) => open)];
  let quote = '';
  for (let j = 0; j < line.length; j++) {
    const c = line[j];
    if (quote) {
      if (c === '\\') j++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      if (!markers.some((m) => line.startsWith(m, j))) {
        quote = c;
        continue;
      }
    }
    if (j > 0 && /\s/.test(line[j - 1]) && markers.some((m) => line.startsWith(m, j))) return j;
  }
  return -1;
}

/** The wording of a comment from `from` to `to`: code spans, URLs, placeholders and doc tags. */
function scanWording(text: string, from: number, to: number, sink: TokenSink): void {
  let i = from;
  while (i < to) {
    const c = text[i];
    if (c === '`') {
      i = scanCodeSpan(text, i, to, sink);
      continue;
    }
    if (c === '{' && text.startsWith('{@', i)) {
      const close = text.indexOf('}', i);
      if (close > 0 && close < to) {
        sink.add('command', text.slice(i, close + 1), i, collapse(text.slice(i, close + 1)), 'doc-tag');
        i = close + 1;
        continue;
      }
    }
    if (c === '@' && atWordStart(text, i) && (i === from || /\s/.test(text[i - 1]))) {
      const tag = JSDOC_TAG.exec(text.slice(i, i + 40))?.[0];
      if (tag) {
        let stop = i + tag.length;
        let key = tag;
        if (JSDOC_NAMED.has(tag)) {
          const m = /^[ \t]+(\{[^}\n]*\}[ \t]*)?(\[?[\w$.]+)/.exec(text.slice(stop, to));
          if (m) {
            key = `${tag} ${m[1] ? `${collapse(m[1])} ` : ''}${m[2]}`;
            stop += m[0].length;
          }
        }
        sink.add('command', text.slice(i, stop), i, key, `doc-tag:${tag}`);
        i = stop;
        continue;
      }
    }
    const next = proseTokenAt(text, i, sink, {}, to);
    i = next > i ? next : i + 1;
  }
}

export function analyzeComment(text: string, languageId: string | undefined): Analysis {
  const syntax = commentSyntax(languageId);
  const sink = new TokenSink();
  const lines: CommentLine[] = [];
  let marked = false;
  /** The closing delimiter while inside a block comment. */
  let closing: string | undefined;
  for (const { start, text: line } of linesOf(text)) {
    const indent = line.length - line.trimStart().length;
    const body = line.slice(indent);
    if (closing) {
      const close = line.indexOf(closing);
      const isLast = close >= 0;
      const star = body.startsWith('*') && !body.startsWith(closing);
      lines.push({ kind: 'block', start, text: line, star, inner: !isLast });
      scanWording(text, start + indent + (star ? 1 : 0), start + (isLast ? close : line.length), sink);
      if (isLast) {
        sink.add('comment-marker', closing, start + close, closing, `marker:${closing}`);
        closing = undefined;
      }
      continue;
    }
    if (!body) {
      lines.push({ kind: 'blank', start, text: line });
      continue;
    }
    const marker = syntax.line.find((m) => body.startsWith(m));
    if (marker) {
      marked = true;
      lines.push({ kind: 'line-comment', start, text: line, marker });
      scanWording(text, start + indent + marker.length, start + line.length, sink);
      continue;
    }
    const block = syntax.block.find(([open]) => body.startsWith(open));
    if (block) {
      marked = true;
      const [open, close] = block;
      const opener = /^\/\*\*(?!\/)/.test(body) ? '/**' : open;
      sink.add('comment-marker', opener, start + indent, opener, `marker:${open}`);
      const closeAt = body.indexOf(close, opener.length);
      lines.push({ kind: 'block', start, text: line });
      scanWording(text, start + indent + opener.length, start + indent + (closeAt >= 0 ? closeAt : body.length), sink);
      if (closeAt >= 0) sink.add('comment-marker', close, start + indent + closeAt, close, `marker:${close}`);
      else closing = close;
      continue;
    }
    lines.push({ kind: 'code', start, text: line });
    const cut = trailingComment(line, syntax);
    if (cut >= 0) {
      marked = true;
      const code = line.slice(0, cut).trim();
      if (code) sink.add('code-line', code, start + indent, code, 'code-line');
      const m = [...syntax.line, ...syntax.block.map(([o]) => o)].find((x) => line.startsWith(x, cut))!;
      const block = syntax.block.find(([open]) => open === m);
      const closeAt = block ? line.indexOf(block[1], cut + m.length) : -1;
      if (block) sink.add('comment-marker', m, start + cut, m, `marker:${m}`);
      scanWording(text, start + cut + m.length, start + (closeAt >= 0 ? closeAt : line.length), sink);
      if (block && closeAt >= 0) sink.add('comment-marker', block[1], start + closeAt, block[1], `marker:${block[1]}`);
      else if (block) closing = block[1];
    } else {
      sink.add('code-line', line.trim(), start + indent, line.trim(), 'code-line');
    }
  }
  return { lines, sink, marked };
}

/** A selection made inside a comment carries no markers: its lines are all wording, none is code. */
export function scanComment(text: string, languageId: string | undefined): TokenSink {
  const a = analyzeComment(text, languageId);
  if (a.marked) return a.sink;
  const sink = new TokenSink();
  scanWording(text, 0, text.length, sink);
  return sink;
}

function snippet(line: string): string {
  const t = collapse(line);
  return t.length > 30 ? `${t.slice(0, 29).trimEnd()}…` : t;
}

/** What a lost comment marker's report says (English keys of the editor's bundle; compare.ts reads them back). */
export const MARKER_DESCRIPTIONS = [
  l10nKey('{0} at the start of a line ("{1}")'),
  l10nKey('{0} at the start of {1} lines ("{2}")'),
  l10nKey('* at the start of a line of a block comment ("{0}")'),
  l10nKey('* at the start of {0} lines of a block comment ("{1}")'),
] as const;
const [ONE_LINE, LINES, ONE_STAR, STARS] = MARKER_DESCRIPTIONS;

function markerProblem(marker: string, family: string, description: MarkupProblem['description']): MarkupProblem {
  return {
    kind: 'lost',
    token: { kind: 'comment-marker', text: marker, key: `comment-marker:${family}`, family, start: 0 },
    description,
  };
}

/**
 * Lines of the proposal that stopped being comments: lines outside any comment that are not among the
 * original's code lines (reported as a lost line marker), and lines of a JSDoc-style block that lost
 * their leading * when every such line of the original had one.
 */
export function commentLineProblems(
  original: string,
  proposal: string,
  languageId: string | undefined,
): MarkupProblem[] {
  const before = analyzeComment(original, languageId);
  if (!before.marked) return [];
  const after = analyzeComment(proposal, languageId);
  const problems: MarkupProblem[] = [];
  // Proposal lines outside any comment that are not the original's code lines. Code lines of the original
  // missing from the proposal are reported as altered code (by the token comparison), so as many such
  // lines are taken to be their altered versions rather than wording that lost its marker.
  const codeLines = new Map<string, number>();
  for (const l of before.lines)
    if (l.kind === 'code') codeLines.set(l.text.trim(), (codeLines.get(l.text.trim()) ?? 0) + 1);
  const unmatched: CommentLine[] = [];
  for (const l of after.lines) {
    if (l.kind !== 'code') continue;
    const n = codeLines.get(l.text.trim()) ?? 0;
    if (n > 0) codeLines.set(l.text.trim(), n - 1);
    else unmatched.push(l);
  }
  const missingCode = [...codeLines.values()].reduce((s, n) => s + n, 0);
  const unmarked = unmatched.filter((l) => trailingComment(l.text, commentSyntax(languageId)) < 0).slice(missingCode);
  const markerCounts = new Map<string, number>();
  for (const l of before.lines) if (l.marker) markerCounts.set(l.marker, (markerCounts.get(l.marker) ?? 0) + 1);
  const marker = [...markerCounts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'comment marker';
  if (unmarked.length) {
    const quote = snippet(unmarked[0].text);
    problems.push(
      markerProblem(
        marker,
        `line:${marker}`,
        unmarked.length === 1
          ? { message: ONE_LINE, args: [marker, quote] }
          : { message: LINES, args: [marker, unmarked.length, quote] },
      ),
    );
  }
  const starredBefore = before.lines.filter((l) => l.inner && l.text.trim());
  if (starredBefore.length && starredBefore.every((l) => l.star)) {
    const bare = after.lines.filter((l) => l.inner && l.text.trim() && !l.star);
    if (bare.length) {
      const quote = snippet(bare[0].text);
      problems.push(
        markerProblem(
          '*',
          'star',
          bare.length === 1 ? { message: ONE_STAR, args: [quote] } : { message: STARS, args: [bare.length, quote] },
        ),
      );
    }
  }
  return problems;
}
