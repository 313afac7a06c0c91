// Layout kept: a proposal laid out like the original it replaces. A hard-wrapped original is re-wrapped at
// its own width, measured from its own lines only (so the CLI and the editor give the same text for the
// same selection); comment markers, quote markers and indentation are put back; list items and blank
// lines stay; an original whose paragraphs are each one line gets one-line paragraphs; one sentence a
// line stays one sentence a line. Nothing but whitespace and line prefixes ever changes, and never
// inside markup: when a text holds a line whose layout means something (a fence, a heading, \begin, a
// code line among comments), the proposal is returned as it is.
import { commentSyntax } from '../markup/family';
import { analyzeComment } from '../markup/scan-comment';
import { linesOf } from '../markup/scan-common';
import { lineFrame, type LineFrame } from './lines';
import { endsSentence, fill, sentences, unbreakableWords } from './words';

/** One paragraph or list item, or one blank line. */
interface Unit {
  blank: boolean;
  /** The full prefix of its first line (indentation, markers) and the indentation after the markers. */
  lead: string;
  /** The list marker with its spaces ('' for a paragraph). */
  marker: string;
  /** Its lines' wording, trimmed, marker excluded from the first. */
  lines: string[];
  /** The prefix (with indentation) of its second line, when it has one. */
  continuation?: string;
}

interface Parsed {
  units: Unit[];
  /** A line whose own layout means something: the text is not laid out. */
  structural: boolean;
}

function parse(lines: readonly string[], frame: LineFrame): Parsed {
  const units: Unit[] = [];
  let structural = false;
  for (const line of lines) {
    const prefix = frame.prefix(line);
    const rest = line.slice(prefix.length);
    const body = rest.trimStart();
    const lead = prefix + rest.slice(0, rest.length - body.length);
    const last = units[units.length - 1];
    if (!body.trim()) {
      units.push({ blank: true, lead: prefix.trimEnd(), marker: '', lines: [] });
      continue;
    }
    // Four more spaces after a comment marker: a code example inside the comment.
    if (frame.structural(body) || (frame.family === 'comment' && lead.length - prefix.length >= 4)) structural = true;
    const marker = frame.item(body);
    if (marker === undefined && last && !last.blank) {
      if (last.lines.length === 1) last.continuation = lead;
      last.lines.push(body.trimEnd());
    } else units.push({ blank: false, lead, marker: marker ?? '', lines: [body.slice(marker?.length ?? 0).trimEnd()] });
  }
  return { units, structural };
}

/** Splits off the outer whitespace: leading blank lines (the first line's indentation stays) and the end. */
function outer(text: string): { before: string; inner: string; after: string } {
  const before = /^(?:[ \t]*\r?\n)*/.exec(text)![0];
  const after = /\s*$/.exec(text.slice(before.length))![0];
  return { before, inner: text.slice(before.length, text.length - after.length), after };
}

/** The block-comment opening and closing lines of a comment (`/**` … ` *\/`) when they stand alone. */
function frameLines(lines: string[], languageId: string | undefined): { top?: string; bottom?: string } {
  const { block } = commentSyntax(languageId);
  const opens = new Set(block.flatMap(([open]) => (open === '/*' ? ['/*', '/**'] : [open])));
  const closes = new Set(block.map(([, close]) => close));
  const first = lines[0]?.trim();
  const last = lines.length > 1 ? lines[lines.length - 1].trim() : undefined;
  return {
    top: first !== undefined && opens.has(first) ? lines[0] : undefined,
    bottom: last !== undefined && closes.has(last) ? lines[lines.length - 1] : undefined,
  };
}

/** Whether every line of a comment text is a comment (or none carries a marker): no code lines mixed in. */
function commentOnly(text: string, languageId: string | undefined): boolean {
  const a = analyzeComment(text, languageId);
  return !a.marked || a.lines.every((l) => l.kind !== 'code');
}

const signature = (units: readonly Unit[], languageId: string | undefined): string =>
  units
    .map((u) => (u.blank ? '' : `${u.marker.trim()}\u0001${unbreakableWords(u.lines.join(' '), languageId).join(' ')}`))
    .join('\n');

/**
 * `proposal` laid out like `original` (the text it replaces, as selected), for a document of `languageId`
 * (VS Code's id). Call it on the cleaned-up proposal, before it is shown or inserted. Only whitespace and
 * line prefixes change; when the layout cannot be kept safely, the proposal comes back unchanged.
 */
export function layoutLike(original: string, proposal: string, languageId: string | undefined): string {
  return layOut(original, proposal, languageId);
}

/**
 * `text` with the line breaks inside each paragraph and list item joined (blank lines, list items,
 * markers and indentation kept): the same wording in every layout gives the same text, so training
 * data built from both a hard-wrapped and an unwrapped copy never differs by layout alone. Texts that
 * layoutLike leaves alone (a fence, \begin, code among comments) come back unchanged.
 */
export function joinLineBreaks(text: string, languageId: string | undefined): string {
  return layOut(text, text, languageId, 'join');
}

type Mode = 'join' | 'sentences' | 'wrap';

function layOut(original: string, proposal: string, languageId: string | undefined, force?: Mode): string {
  const o = outer(original);
  const p = outer(proposal);
  if (!o.inner.trim() || !p.inner.trim()) return proposal;
  const frame = lineFrame(languageId);
  const eol = proposal.includes('\r\n') ? '\r\n' : '\n';
  let origLines = linesOf(o.inner).map((l) => l.text);
  let propLines = linesOf(p.inner).map((l) => l.text);

  let top: string | undefined;
  let bottom: string | undefined;
  if (frame.family === 'comment') {
    if (!commentOnly(o.inner, languageId) || !commentOnly(p.inner, languageId)) return proposal;
    const of = frameLines(origLines, languageId);
    const pf = frameLines(propLines, languageId);
    // The proposal must open and close the block as the original does, or there is no frame to keep.
    if (of.top?.trim() !== pf.top?.trim() || of.bottom?.trim() !== pf.bottom?.trim()) return proposal;
    ({ top, bottom } = of);
    origLines = origLines.slice(top === undefined ? 0 : 1, bottom === undefined ? undefined : -1);
    propLines = propLines.slice(top === undefined ? 0 : 1, bottom === undefined ? undefined : -1);
    const { block } = commentSyntax(languageId);
    const delimiter = (l: string) => block.some(([a, b]) => l.includes(a) || l.includes(b));
    if (origLines.some(delimiter) || propLines.some(delimiter)) return proposal;
    // Markers on some lines of the proposal and not on others: which lines are comments is unclear.
    const marked = propLines.filter((l) => l.trim() && frame.prefix(l).trim()).length;
    if (marked > 0 && marked < propLines.filter((l) => l.trim()).length) return proposal;
  }
  if (origLines.length === 0 || propLines.length === 0) return proposal;

  const orig = parse(origLines, frame);
  const prop = parse(propLines, frame);
  if (orig.structural || prop.structural) return proposal;
  const origText = orig.units.filter((u) => !u.blank);
  if (origText.length === 0) return proposal;

  // The layout of the original: how its paragraphs break, its width, and the prefixes its lines carry.
  const multi = origText.filter((u) => u.lines.length > 1);
  const mode: Mode =
    force ?? (multi.length === 0 ? 'join' : multi.every((u) => u.lines.every(endsSentence)) ? 'sentences' : 'wrap');
  const width = Math.max(...origLines.map((l) => l.length));
  const starts = origLines.map((l) => frame.prefix(l) + /^[ \t]*/.exec(l.slice(frame.prefix(l).length))![0]);
  const nonBlank = origLines.map((l, i) => (l.slice(frame.prefix(l).length).trim() ? starts[i] : undefined));
  // A selection that starts inside a line has a first line with less indentation than the rest: the rest
  // gives the indentation, the first line keeps its own.
  const rest = nonBlank.slice(1).filter((s): s is string => s !== undefined);
  const firstOwn = origText[0].marker === '' && rest.length > 0 && rest.every((s) => s.length > starts[0].length);
  const base = (firstOwn ? rest : nonBlank.filter((s): s is string => s !== undefined)).reduce((a, b) =>
    b.length < a.length ? b : a,
  );
  const hung = origText.find((u) => u.marker && u.continuation !== undefined);
  const hang = (marker: string) =>
    hung ? Math.max(0, hung.continuation!.length - hung.lead.length) : /^\\item|^@/.test(marker) ? 0 : marker.length;
  const blankLine = orig.units.find((u) => u.blank)?.lead ?? frame.prefix(base).trimEnd();
  // The proposal's own nesting (a sub-list) is kept relative to its least indented paragraph or item.
  const propText = prop.units.filter((u) => !u.blank);
  const propBase = Math.min(...propText.map((u) => u.lead.length - frame.prefix(u.lead).length));

  const out: string[] = [];
  if (top !== undefined) out.push(top);
  let first = true;
  for (const unit of prop.units) {
    if (unit.blank) {
      out.push(blankLine);
      continue;
    }
    const nest = ' '.repeat(Math.max(0, unit.lead.length - frame.prefix(unit.lead).length - propBase));
    const lead = (first && firstOwn ? starts[0] : base) + nest;
    const next = base + nest + ' '.repeat(hang(unit.marker));
    first = false;
    const words = unbreakableWords(unit.lines.join(' '), languageId);
    const lines =
      mode === 'wrap'
        ? fill(words, width - lead.length - unit.marker.length, width - next.length, frame)
        : mode === 'sentences'
          ? sentences(words, frame)
          : [words.join(' ')];
    lines.forEach((line, i) => out.push(i === 0 ? lead + unit.marker + line : next + line));
  }
  if (bottom !== undefined) out.push(bottom);

  // The wording must come out word for word; anything else means the layout misread the text.
  const laid = parse(out.slice(top === undefined ? 0 : 1, bottom === undefined ? undefined : -1), frame);
  if (signature(laid.units, languageId) !== signature(prop.units, languageId)) return proposal;
  return p.before + out.join(eol) + p.after;
}
