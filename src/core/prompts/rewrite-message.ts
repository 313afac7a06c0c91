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
  restructuredtext:
    'The text is reStructuredText: keep directives, roles, section underlines, links and literal blocks ' +
    'unchanged; rewrite only the prose.',
  asciidoc:
    'The text is AsciiDoc: keep headings, attributes, macros, links and listing blocks unchanged; rewrite only ' +
    'the prose.',
  html: 'The text is HTML: keep every tag, attribute and entity unchanged; rewrite only the visible prose.',
};

/** One line about the markup of this kind of document. */
export function languageLine(languageId: string | undefined): string {
  const id = (languageId ?? '').toLowerCase();
  if (PROSE_LANGUAGES.has(id)) return 'The text is plain prose: keep its paragraph breaks, list layout and any URLs.';
  if (MARKDOWN_LANGUAGES.has(id)) {
    return (
      'The text is Markdown: keep headings, list markers, emphasis markers, links and their URLs, images, ' +
      'inline code, code blocks and HTML tags exactly as they are; rewrite only the prose.'
    );
  }
  if (LATEX_LANGUAGES.has(id)) {
    return (
      'The text is LaTeX: keep every command with its arguments (\\cite{...}, \\ref{...}, \\label{...}, ' +
      '\\eqref{...}, \\emph{...} wraps stay in place), environments, math ($...$, \\[...\\], equation ' +
      'environments) and % comments unchanged; rewrite only the prose.'
    );
  }
  if (OTHER_MARKUP[id]) return OTHER_MARKUP[id];
  return (
    `The text is a comment from ${languageId} code: keep the comment markers (such as //, #, /* */, leading ` +
    `*) at the start of each line, the indentation, identifiers, code in backticks and URLs unchanged; rewrite ` +
    `only the comment's wording.`
  );
}

/** Read-only text around the one to rewrite, so the rewrite fits its surroundings. */
export interface RewriteContext {
  before?: string;
  after?: string;
}

export interface RewriteMessageOptions {
  /** VS Code's language id (markdown, latex, plaintext, or a code language for comments). */
  languageId?: string;
  /** The paragraphs before and after the text, given to the model to read, never to rewrite. */
  context?: RewriteContext;
  /** A one-off instruction from the writer for this rewrite ("keep it under 50 words"). */
  note?: string;
  /** `plain` prompt mode: the instruction names no style (the system prompt has none to describe). */
  plain?: boolean;
}

export const CONTEXT_BEFORE_START = '<context-before>';
export const CONTEXT_BEFORE_END = '</context-before>';
export const CONTEXT_AFTER_START = '<context-after>';
export const CONTEXT_AFTER_END = '</context-after>';

/**
 * The instruction every rewrite starts with; it depends only on the language, so prewarm can cache it.
 * Without context and note, the message is byte for byte what it was before they existed, so data
 * generated earlier still matches what is served; with context, a closing line names the text tags.
 */
function instruction(languageId: string | undefined, plain = false): string {
  return [
    plain
      ? 'Rewrite the text between the tags below.'
      : 'Rewrite the text between the tags below in the style described in the system prompt.',
    'Keep its meaning and its language (do not translate). Keep all markup intact: Markdown syntax, LaTeX ' +
      'commands such as \\cite{}, \\ref{} and \\label{}, math, code spans, links, URLs, and comment markers of ' +
      'code comments.',
    languageLine(languageId),
    `Output only the rewritten text: no preamble, no quotes, no explanations, and no ${TEXT_START} tags.`,
    '',
    '',
  ].join('\n');
}

/**
 * The part of every rewrite's user message before the text, the context and the note (it depends only
 * on the language), so a prewarm can evaluate it together with the system prompt.
 */
export function rewriteUserPrefix(options: { languageId?: string; plain?: boolean } = {}): string {
  return instruction(options.languageId, options.plain);
}

/** A note on one line of its own: blank notes count as none. */
export function cleanNote(note: string | undefined): string | undefined {
  const text = note?.replace(/\s+/g, ' ').trim();
  return text ? text : undefined;
}

/**
 * The user message: the rewrite instruction (keep meaning, language and markup; output only the text),
 * then the text between <text> tags. Context and the writer's note come after the instruction, so
 * rewriteUserPrefix stays a prefix of every message: the context before the text in its own tags, the
 * context after it likewise, then the note, then a reminder that only the tagged text is rewritten.
 * Without context and note the message ends with the text's closing tag.
 */
export function rewriteUserMessage(text: string, options: RewriteMessageOptions = {}): string {
  const before = options.context?.before?.trim();
  const after = options.context?.after?.trim();
  const note = cleanNote(options.note);
  const parts = [instruction(options.languageId, options.plain)];
  if (before) {
    parts.push(
      `Context before the text, to read only (do not rewrite it and do not repeat ` +
        `it):\n${CONTEXT_BEFORE_START}\n${before}\n${CONTEXT_BEFORE_END}\n\n`,
    );
  }
  parts.push(`${TEXT_START}\n${text}\n${TEXT_END}`);
  if (after) {
    parts.push(
      `\n\nContext after the text, to read only (do not rewrite it and do not repeat ` +
        `it):\n${CONTEXT_AFTER_START}\n${after}\n${CONTEXT_AFTER_END}`,
    );
  }
  if (note)
    parts.push(`\n\nThe writer's note for this rewrite (follow it as long as it keeps the rules above): ${note}`);
  if (before || after)
    parts.push(
      `\n\nRewrite only the text between ${TEXT_START} and ${TEXT_END}; the context is there to read, and nothing ` +
        `from it belongs in your output.`,
    );
  return parts.join('');
}
