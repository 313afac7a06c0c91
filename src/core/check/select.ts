// Which parts of a document the style check scores: its prose paragraphs, as the paragraph rules
// (core/paragraphs) cut them, without front matter, code, math, tables and headings. Code files give their
// comment blocks, judged without their comment markers.
import { commentSyntax, markupFamily } from '../markup/family';
import { analyzeComment } from '../markup/scan-comment';
import { linesOf } from '../markup/scan-common';
import { splitBlocks, type TextRange } from '../paragraphs';

export interface ProseParagraph extends TextRange {
  /** 1-based line of `start` and of the paragraph's last line. */
  line: number;
  endLine: number;
  /** What the judge reads: the paragraph as written, or a comment's wording without its markers. */
  text: string;
}

/** Fewer words than this is a label, a signature or a stray line, not prose a style applies to. */
const MIN_WORDS = 3;
const WORD = /^[("'“‘[*_]*\p{L}[\p{L}'’-]*[)\]"'”’.,;:!?*_]*$/u;

/** True when `text` holds at least MIN_WORDS plain words (not paths, identifiers, URLs or numbers). */
export function isProse(text: string): boolean {
  let n = 0;
  for (const t of text.split(/\s+/)) if (WORD.test(t) && ++n >= MIN_WORDS) return true;
  return false;
}

/** The end of YAML (---) or TOML (+++) front matter at the very start of the text, or 0 when there is none. */
export function frontMatterEnd(text: string): number {
  const m = /^(---|\+\+\+)[ \t]*\r?\n/.exec(text);
  if (!m) return 0;
  const closer = m[1] === '---' ? /^(---|\.\.\.)[ \t]*$/ : /^\+\+\+[ \t]*$/;
  for (const l of linesOf(text).slice(1)) if (closer.test(l.text)) return l.start + l.text.length;
  return 0;
}

const HEADING_ATX = /^ {0,3}#{1,6}([ \t]|$)/;
/** A setext underline, an rST adornment line or a Markdown thematic break. */
const ADORNMENT = /^ {0,3}([=\-`:'"~^_*+#<>])\1{2,}[ \t]*$/;
const TABLE = /^\s*(\|.*|\+[-=+:]+\+?\s*|:?-{3,}:?(\s*\|\s*:?-{3,}:?)+\s*\|?|=+(\s+=+)+)\s*$/;
/** A LaTeX line of commands only (\section{…}, \label{…}, \usepackage{…}, \maketitle), or a % comment. */
const LATEX_COMMANDS = /^\s*((\\[A-Za-z@]+\*?(\s*\[[^\]]*\])*(\s*\{[^{}]*(\{[^{}]*\}[^{}]*)*\})*\s*)+(%.*)?|%.*)$/;
const RST_MARKUP_LINE = /^\s*\.\.(\s|$)/;
const LINK_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*\S+/;
const HTML_LINE = /^\s*(<\/?[A-Za-z][^>]*>\s*)+$|^\s*<!--.*-->\s*$/;

type Family = ReturnType<typeof markupFamily>;

/**
 * Whether each line of a block is prose. Lines inside display math ($$ … $$, \[ … \]) and headings,
 * table rows, link definitions, lone HTML tags and LaTeX command lines are not.
 */
function proseLines(lines: string[], family: Family): boolean[] {
  const out = lines.map(() => true);
  let math = false;
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i];
    const trimmed = t.trim();
    if (math) {
      out[i] = false;
      if (trimmed.endsWith('$$') || trimmed.endsWith('\\]')) math = false;
      continue;
    }
    if (trimmed.startsWith('$$') || trimmed.startsWith('\\[')) {
      out[i] = false;
      const closes = trimmed.length > 2 && (trimmed.slice(2).includes('$$') || trimmed.includes('\\]'));
      math = !closes;
      continue;
    }
    if (ADORNMENT.test(t)) {
      // A setext or rST underline makes the line above a heading (an rST overline's title has an underline too).
      out[i] = false;
      if (i > 0 && family !== 'latex') out[i - 1] = false;
      continue;
    }
    if (
      (family !== 'latex' && HEADING_ATX.test(t)) ||
      TABLE.test(t) ||
      (family === 'markdown' && LINK_DEFINITION.test(t)) ||
      ((family === 'markdown' || family === 'html') && HTML_LINE.test(t)) ||
      (family === 'latex' && LATEX_COMMANDS.test(t)) ||
      (family === 'rst' && RST_MARKUP_LINE.test(t))
    )
      out[i] = false;
  }
  return out;
}

/** A Markdown indented code block: every line indented by four spaces or a tab. */
const isIndentedCode = (lines: string[]) => lines.every((l) => /^( {4}|\t)/.test(l));

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function markupParagraphs(text: string, languageId: string | undefined, family: Family): TextRange[] {
  const skipUntil = family === 'comment' ? 0 : frontMatterEnd(text);
  const out: TextRange[] = [];
  for (const block of splitBlocks(text, languageId)) {
    // Fences, environments, HTML comments and rST literal bodies are never prose to restyle.
    if (block.atomic || block.end <= skipUntil) continue;
    const lines = linesOf(text.slice(block.start, block.end)).map((l) => ({ ...l, start: l.start + block.start }));
    const kept = lines.filter((l) => l.start >= skipUntil);
    if (family === 'markdown' && isIndentedCode(kept.map((l) => l.text))) continue;
    const prose = proseLines(
      kept.map((l) => l.text),
      family,
    );
    let run: TextRange | undefined;
    for (let i = 0; i <= kept.length; i++) {
      if (i < kept.length && prose[i]) {
        const end = kept[i].start + kept[i].text.length;
        if (run) run.end = end;
        else run = { start: kept[i].start, end };
      } else if (run) {
        out.push(run);
        run = undefined;
      }
    }
  }
  return out;
}

/** A comment line's wording: without indentation, line marker, block delimiters and a JSDoc-style leading *. */
function commentWording(line: string, languageId: string | undefined): string {
  const { line: markers, block } = commentSyntax(languageId);
  let t = line.trim();
  const marker = markers.find((m) => t.startsWith(m));
  if (marker) return t.slice(marker.length).trim();
  for (const [open, close] of block) {
    if (t.startsWith(open)) t = t.slice(open.length).replace(/^\*(?!\/)/, '');
    if (t.endsWith(close)) t = t.slice(0, -close.length);
  }
  return t.replace(/^\*(?!\/)\s?/, '').trim();
}

function commentParagraphs(text: string, languageId: string | undefined): (TextRange & { wording: string })[] {
  const { lines } = analyzeComment(text, languageId);
  const out: (TextRange & { wording: string })[] = [];
  let run: { first: number; last: number } | undefined;
  const flush = () => {
    if (!run) return;
    const span = lines.slice(run.first, run.last + 1);
    const wording = span
      .map((l) => commentWording(l.text, languageId))
      .join('\n')
      .trim();
    const last = lines[run.last];
    out.push({ start: lines[run.first].start, end: last.start + last.text.length, wording });
    run = undefined;
  };
  lines.forEach((l, i) => {
    if (l.kind === 'line-comment' || l.kind === 'block') {
      if (run) run.last = i;
      else run = { first: i, last: i };
    } else flush();
  });
  flush();
  return out;
}

/**
 * The prose paragraphs of a document in order. Markdown, LaTeX, HTML, reStructuredText and plain text:
 * the paragraph rules' blocks, leaving out front matter, fenced/indented code, environments, display math,
 * tables, headings and markup-only lines (a heading line directly above a paragraph is cut off it). Code:
 * each contiguous comment block. Only paragraphs with at least a few plain words are kept.
 */
export function proseParagraphs(text: string, languageId: string | undefined): ProseParagraph[] {
  const family = markupFamily(languageId);
  const lineOf = lineIndex(text);
  const ranges =
    family === 'comment'
      ? commentParagraphs(text, languageId)
      : markupParagraphs(text, languageId, family).map((r) => ({ ...r, wording: text.slice(r.start, r.end) }));
  return ranges
    .filter((r) => isProse(r.wording))
    .map((r) => ({ start: r.start, end: r.end, line: lineOf(r.start), endLine: lineOf(r.end), text: r.wording }));
}
