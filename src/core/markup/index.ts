// The markup guard: the protected tokens of a text (links and URLs, code, HTML tags, LaTeX commands,
// math, comments and comment markers, placeholders) and whether a rewrite kept them. Pure functions of
// text and a VS Code language id, shared by the rewrite use case, the CLI and the editor's preview.
//
// What "kept" means, per kind of token (a token's key is what must survive):
// - Links and images: the destination (and title). The link text is prose and may change; a bare URL
//   may become a link to the same URL and still count as kept.
// - URLs, e-mail addresses, `code`, fences, verbatim, <pre>/<code>, HTML comments, % comments,
//   placeholders: word for word (whitespace runs inside count as one space).
// - HTML tags: the name and each attribute value, in order; quoting style and spacing do not matter.
// - LaTeX: reference-like and unknown commands with every argument (\cite{a, b} = \cite{a,b}); prose
//   wrappers (\emph, \textbf, \footnote, \section, \caption, ...) only the command, their argument being
//   prose that is checked for nested tokens; environments by name and arguments; math by content.
// - Markdown headings and rules, rST section adornments: the marker level (# vs ##), not the title.
// - Code comments: block delimiters are counted; every line of the proposal must still be a comment or
//   one of the selection's own code lines (which must survive word for word); JSDoc-style blocks keep
//   their leading *. A comment reflowed to more or fewer lines is fine.
// Not protected: emphasis markers, list markers, table pipes, character escapes and accents, entities.
export * from './types';
export { markupFamily, commentSyntax, type CommentSyntax } from './family';
export {
  extractMarkup,
  compareTokens,
  checkMarkup,
  markupLost,
  formatProblems,
  localizeMarkupLines,
  shownToken,
} from './compare';
