// The blocks of a text: paragraphs separated by blank lines, where a construct that may itself hold blank
// lines (a Markdown fence, a LaTeX environment, an HTML comment or <pre>, an indented reStructuredText
// literal or directive body, a block comment in code) is never cut: its blank lines do not separate.
import { commentSyntax, markupFamily } from '../markup/family';
import { linesOf } from '../markup/scan-common';
import type { MarkupFamily } from '../markup/types';

/** Half-open character range [start, end) in a text. */
export interface TextRange {
  start: number;
  end: number;
}

export interface Block extends TextRange {
  /** The block holds a construct that must not be cut (a fence, an environment, ...), blank lines or not. */
  atomic: boolean;
}

/** Line-by-line state of the constructs that blank lines do not end. */
interface Tracker {
  /** Updates the state with a non-blank line; returns true while (or when) the line is inside a construct. */
  line(text: string): boolean;
  /** True while a construct is open after the last line. */
  open(): boolean;
  /** For indentation-based constructs: true when this non-blank line ends the open one. */
  ends?(text: string): boolean;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})([^`]*)$/;

function markdownTracker(): Tracker {
  let fence: RegExp | undefined;
  let comment = false;
  return {
    line(text) {
      const was = fence !== undefined || comment;
      if (fence) {
        if (fence.test(text)) fence = undefined;
        return true;
      }
      if (comment) {
        if (text.includes('-->')) comment = false;
        return true;
      }
      const open = FENCE_OPEN.exec(text);
      if (open) {
        fence = new RegExp(`^ {0,3}${open[1][0] === '`' ? '`' : '~'}{${open[1].length},}[ \\t]*$`);
        return true;
      }
      const c = text.lastIndexOf('<!--');
      if (c >= 0 && !text.includes('-->', c)) comment = true;
      return was || comment;
    },
    open: () => fence !== undefined || comment,
  };
}

const VERBATIM = new Set(['verbatim', 'Verbatim', 'lstlisting', 'minted', 'comment']);

/** LaTeX: environments other than `document` hold together; inside verbatim only its own \end counts. */
function latexTracker(): Tracker {
  const stack: string[] = [];
  return {
    line(text) {
      const was = stack.length > 0;
      const code = text.replace(/(^|[^\\])%.*$/, '$1');
      for (const m of code.matchAll(/\\(begin|end)\s*\{([^}]*)\}/g)) {
        const [, which, env] = m;
        const top = stack[stack.length - 1];
        if (top !== undefined && VERBATIM.has(top.replace(/\*$/, '')) && !(which === 'end' && env === top)) continue;
        if (env === 'document') continue;
        if (which === 'begin') stack.push(env);
        else if (stack.length && stack[stack.length - 1] === env) stack.pop();
        else if (stack.includes(env)) stack.length = stack.lastIndexOf(env);
      }
      return was || stack.length > 0;
    },
    open: () => stack.length > 0,
  };
}

function htmlTracker(): Tracker {
  let until: string | undefined;
  return {
    line(text) {
      const was = until !== undefined;
      let rest = text;
      for (;;) {
        if (until) {
          const at = rest.toLowerCase().indexOf(until);
          if (at < 0) break;
          rest = rest.slice(at + until.length);
          until = undefined;
          continue;
        }
        const m = /<!--|<(pre|script|style|textarea)\b/i.exec(rest);
        if (!m) break;
        until = m[0] === '<!--' ? '-->' : `</${m[1].toLowerCase()}`;
        rest = rest.slice(m.index + m[0].length);
      }
      return was || until !== undefined;
    },
    open: () => until !== undefined,
  };
}

const indentOf = (line: string) => /^[ \t]*/.exec(line)![0].length;

/** reStructuredText: after a line ending in "::" (a literal block or a directive), the indented body holds together. */
function rstTracker(): Tracker {
  let outer = -1;
  let inBody = false;
  return {
    ends(text) {
      return outer >= 0 && inBody && indentOf(text) <= outer;
    },
    line(text) {
      if (outer >= 0 && indentOf(text) > outer) {
        inBody = true;
        return true;
      }
      if (outer >= 0 && inBody) {
        outer = -1;
        inBody = false;
      }
      if (/::[ \t]*$/.test(text)) {
        outer = indentOf(text);
        inBody = false;
        return true;
      }
      return false;
    },
    open: () => outer >= 0,
  };
}

/** Code: a block comment (/* … *\/, Python's """ … """) holds together. */
function commentTracker(languageId: string | undefined): Tracker {
  const { block } = commentSyntax(languageId);
  let closing: string | undefined;
  return {
    line(text) {
      const was = closing !== undefined;
      let i = 0;
      for (;;) {
        if (closing) {
          const at = text.indexOf(closing, i);
          if (at < 0) break;
          i = at + closing.length;
          closing = undefined;
          continue;
        }
        let first: { at: number; open: string; close: string } | undefined;
        for (const [open, close] of block) {
          const at = text.indexOf(open, i);
          if (at >= 0 && (!first || at < first.at)) first = { at, open, close };
        }
        if (!first) break;
        closing = first.close;
        i = first.at + first.open.length;
      }
      return was || closing !== undefined;
    },
    open: () => closing !== undefined,
  };
}

function trackerFor(family: MarkupFamily, languageId: string | undefined): Tracker {
  switch (family) {
    case 'markdown':
      return markdownTracker();
    case 'latex':
      return latexTracker();
    case 'html':
      return htmlTracker();
    case 'rst':
      return rstTracker();
    case 'comment':
      return commentTracker(languageId);
    default:
      return { line: () => false, open: () => false };
  }
}

/**
 * The blocks of `text` in order: each runs from the start of its first line to the end of its last
 * (line break excluded); the text between two blocks is only blank lines.
 */
export function splitBlocks(text: string, languageId: string | undefined): Block[] {
  const tracker = trackerFor(markupFamily(languageId), languageId);
  const blocks: Block[] = [];
  let current: Block | undefined;
  let blankBefore = false;
  for (const line of linesOf(text)) {
    if (line.text.trim() === '') {
      if (current && !tracker.open()) {
        blocks.push(current);
        current = undefined;
      }
      blankBefore = true;
      continue;
    }
    if (current && blankBefore && tracker.ends?.(line.text)) {
      blocks.push(current);
      current = undefined;
    }
    const inside = tracker.line(line.text);
    const end = line.start + line.text.length;
    if (current) {
      current.end = end;
      current.atomic ||= inside;
    } else {
      current = { start: line.start, end, atomic: inside };
    }
    blankBefore = false;
  }
  if (current) blocks.push(current);
  return blocks;
}
