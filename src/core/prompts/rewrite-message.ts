// The user message of a rewrite: what to do with the text, then the text itself between delimiters.
// Writers lose work when a rewrite drops a \cite{} or a link, so the markup
// rule is spelled out for every document type, with one extra line tailored to the document's language.

/** The delimiters around the text; exported so output cleaners can strip them if a model echoes them. */
export const TEXT_START = '<text>';
export const TEXT_END = '</text>';

const PROSE_LANGUAGES = new Set(['plaintext', 'text', '']);
const MARKDOWN_LANGUAGES = new Set(['markdown', 'mdx', 'quarto', 'rmd']);
const LATEX_LANGUAGES = new Set(['latex', 'tex', 'context', 'bibtex', 'doctex', 'latex-expl3']);
const OTHER_MARKUP: Record<string, string> = {
  restructuredtext: 'The text is reStructuredText: keep directives, roles, section underlines, links and literal blocks unchanged; rewrite only the prose.',
  asciidoc: 'The text is AsciiDoc: keep headings, attributes, macros, links and listing blocks unchanged; rewrite only the prose.',
  html: 'The text is HTML: keep every tag, attribute and entity unchanged; rewrite only the visible prose.',
};

/** One line about the markup of this kind of document. */
export function languageLine(languageId: string | undefined): string {
  const id = (languageId ?? '').toLowerCase();
  if (PROSE_LANGUAGES.has(id)) return 'The text is plain prose: keep its paragraph breaks, list layout and any URLs.';
  if (MARKDOWN_LANGUAGES.has(id)) {
    return 'The text is Markdown: keep headings, list markers, emphasis markers, links and their URLs, images, inline code, code blocks and HTML tags exactly as they are; rewrite only the prose.';
  }
  if (LATEX_LANGUAGES.has(id)) {
    return 'The text is LaTeX: keep every command with its arguments (\\cite{...}, \\ref{...}, \\label{...}, \\eqref{...}, \\emph{...} wraps stay in place), environments, math ($...$, \\[...\\], equation environments) and % comments unchanged; rewrite only the prose.';
  }
  if (OTHER_MARKUP[id]) return OTHER_MARKUP[id];
  return `The text is a comment from ${languageId} code: keep the comment markers (such as //, #, /* */, leading *) at the start of each line, the indentation, identifiers, code in backticks and URLs unchanged; rewrite only the comment's wording.`;
}

/**
 * The part of every rewrite's user message before the text itself (it depends only on the language), so
 * a prewarm can evaluate it together with the system prompt.
 */
export function rewriteUserPrefix(options: { languageId?: string } = {}): string {
  const marker = '\u0000';
  const message = rewriteUserMessage(marker, options);
  return message.slice(0, message.indexOf(marker));
}

/**
 * The user message: the rewrite instruction (keep meaning, language and markup; output only the text)
 * followed by the text. `languageId` is VS Code's (markdown, latex, plaintext, or a code language for comments).
 */
export function rewriteUserMessage(text: string, options: { languageId?: string } = {}): string {
  return [
    'Rewrite the text between the tags below in the style described in the system prompt.',
    'Keep its meaning and its language (do not translate). Keep all markup intact: Markdown syntax, LaTeX commands such as \\cite{}, \\ref{} and \\label{}, math, code spans, links, URLs, and comment markers of code comments.',
    languageLine(options.languageId),
    `Output only the rewritten text: no preamble, no quotes, no explanations, and no ${TEXT_START} tags.`,
    '',
    TEXT_START,
    text,
    TEXT_END,
  ].join('\n');
}
