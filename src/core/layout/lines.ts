// How the lines of a text are framed, per markup family: the prefix every line carries (indentation, a
// comment marker, a Markdown quote), the lines that must never be joined or re-flowed (a fence, a heading,
// \begin, a line of code), and the list items a paragraph is made of. Shared by the original (whose
// layout is measured) and the proposal (whose wording is laid out again).
import { commentSyntax, markupFamily } from '../markup/family';
import type { MarkupFamily } from '../markup/types';

export interface LineFrame {
  family: MarkupFamily;
  /** The prefix of a line: indentation, then the family's marker (a comment marker, `> `), if any. */
  prefix(line: string): string;
  /** A line (without its prefix) whose own layout means something: the whole text is left as it is. */
  structural(body: string): boolean;
  /** The list marker a line (without its prefix) starts with, with the spaces after it, if any. */
  item(body: string): string | undefined;
  /** Whether a word must not start a line: there it would read as a list marker, a heading or a tag. */
  unsafeAtLineStart(word: string): boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Bullets and numbers as Markdown, reStructuredText and plain text write them. */
const BULLET = /^(?:[-*+\u2022]|\d{1,9}[.)])[ \t]+(?=\S)/;
const MARKDOWN_STRUCTURAL = [
  /^ {0,3}(?:`{3,}|~{3,})/, // a fence
  /^#{1,6}(?:[ \t]|$)/, // a heading
  /^(?:=+|-{2,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})[ \t]*$/, // a setext underline or a rule
  /^\|/, // a table row
  /^<\/?[A-Za-z!]/, // an HTML block
  /^\[[^\]]+\]:/, // a link definition
  /^\$\$/, // display math
  /(?: {2}|\\)$/, // a hard line break
];
const LATEX_STRUCTURAL = [
  new RegExp(
    '^\\\\(?:begin|end|(?:sub)*section|chapter|part|(?:sub)?paragraph|label|caption|centering|includegraphics|' +
      'maketitle|documentclass|usepackage|newcommand|renewcommand|def|input|include|bibliography(?:style)?)\\b',
  ),
  /^\\\[|^\\\]|^\$\$/, // display math on its own line
  /\\\\(?:\[[^\]]*\])?\s*$/, // a forced line break
  /(?:^|[^\\])%/, // a comment: what follows it on the line is not text
];
const RST_STRUCTURAL = [
  /::[ \t]*$/, // a literal block or a directive
  /^\.\./, // a directive, comment or target
  /^([=\-`:'"~^_*+#<>])\1{2,}[ \t]*$/, // a section adornment
  /^\+[-=+]+\+?$/, // a grid table
  /^:[^:\s][^:]*:(?:[ \t]|$)/, // a field list
  /^\|/, // a line block
];
const HTML_STRUCTURAL = [
  /^<\/?(?:pre|table|thead|tbody|tr|td|th|ul|ol|li|dl|dt|dd|div|h[1-6])\b/i,
  /^<\/?(?:section|article|blockquote|p|br|hr|script|style)\b/i,
];
const COMMENT_STRUCTURAL = [/^(?:`{3,}|~{3,})/];

/** A frame for the family of `languageId` (VS Code's id). */
export function lineFrame(languageId: string | undefined): LineFrame {
  const family = markupFamily(languageId);
  const { line } = commentSyntax(languageId);
  const markers = [...line].sort((a, b) => b.length - a.length).map(escape);
  // A line comment's marker, or the * that continues a block comment (but not the */ that ends it).
  const commentPrefix = new RegExp(`^[ \\t]*(?:(?:${[...markers, '\\*(?!/)'].join('|')})[ \\t]?)?`);
  const quotePrefix = /^[ \t]*(?:>[ \t]?)*/;
  const indent = /^[ \t]*/;
  const structural =
    family === 'markdown'
      ? MARKDOWN_STRUCTURAL
      : family === 'latex'
        ? LATEX_STRUCTURAL
        : family === 'rst'
          ? RST_STRUCTURAL
          : family === 'html'
            ? HTML_STRUCTURAL
            : family === 'comment'
              ? COMMENT_STRUCTURAL
              : [];
  return {
    family,
    prefix: (text) =>
      (family === 'comment' ? commentPrefix : family === 'markdown' ? quotePrefix : indent).exec(text)![0],
    structural: (body) => structural.some((re) => re.test(body)),
    item(body) {
      if (family === 'latex') return /^\\item(?:\[[^\]\n]*\])?[ \t]*/.exec(body)?.[0] || undefined;
      if (family === 'html') return undefined;
      const bullet = BULLET.exec(body)?.[0];
      if (bullet) return bullet;
      // A doc comment's @param starts a new entry, as a list item does.
      if (family === 'comment') return /^@[A-Za-z]+\b[ \t]*/.exec(body)?.[0];
      return undefined;
    },
    unsafeAtLineStart(word) {
      if (family === 'latex' || family === 'html') return false;
      if (/^(?:[-+*>\u2022]|#{1,6}|=+|-{2,}|\d{1,9}[.)]|\.\.|\|)$/.test(word)) return true;
      return family === 'comment' && /^@[A-Za-z]/.test(word);
    },
  };
}
