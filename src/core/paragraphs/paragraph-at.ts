// "Rewrite the paragraph at the cursor": which text that is, per kind of document.
import { commentSyntax, markupFamily } from '../markup/family';
import { analyzeComment, trailingComment } from '../markup/scan-comment';
import { splitBlocks, type TextRange } from './blocks';

/**
 * The paragraph around `offset` in `text` (a whole document), as a range from the start of its first
 * line to the end of its last (line break excluded), or undefined when the cursor is on a blank line (or,
 * in code, on a line of code).
 *
 * Prose, Markdown, LaTeX, HTML and reStructuredText: the lines between blank lines, where a fenced code
 * block, a LaTeX environment (other than `document`), an HTML comment or <pre>, or an indented rST body is
 * never cut: its blank lines do not end the paragraph, so the cursor anywhere in it gives all of it.
 * Code: the contiguous comment block around the cursor (line comments and block comments, up to the first
 * blank or code line); on a code line, its trailing comment when the cursor is in it.
 */
export function paragraphAt(text: string, offset: number, languageId: string | undefined): TextRange | undefined {
  if (offset < 0 || offset > text.length) return undefined;
  if (markupFamily(languageId) !== 'comment') {
    const block = splitBlocks(text, languageId).find((b) => b.start <= offset && offset <= b.end);
    return block ? { start: block.start, end: block.end } : undefined;
  }
  const { lines } = analyzeComment(text, languageId);
  const at = lines.findIndex((l) => l.start <= offset && offset <= l.start + l.text.length);
  if (at < 0) return undefined;
  const line = lines[at];
  if (line.kind === 'blank') return undefined;
  if (line.kind === 'code') {
    const cut = trailingComment(line.text, commentSyntax(languageId));
    if (cut < 0 || offset < line.start + cut) return undefined;
    return { start: line.start + cut, end: line.start + line.text.length };
  }
  const inComment = (n: number) =>
    n >= 0 && n < lines.length && (lines[n].kind === 'line-comment' || lines[n].kind === 'block');
  let first = at;
  let last = at;
  while (inComment(first - 1)) first--;
  while (inComment(last + 1)) last++;
  return { start: lines[first].start, end: lines[last].start + lines[last].text.length };
}
