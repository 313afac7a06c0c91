/** The markup families the guard knows; every VS Code language id maps to one (see markupFamily). */
export type MarkupFamily = 'markdown' | 'latex' | 'html' | 'rst' | 'plain' | 'comment';

/** What a protected token is; the kind decides what "kept" and "altered" mean for it (see compare.ts). */
export type MarkupKind =
  | 'link' // [text](url), ![alt](src), <a>-less reference links, rST `text <url>`_: the target must survive
  | 'link-definition' // [label]: url, .. _label: url
  | 'url' // bare and <autolink> URLs, e-mail addresses
  | 'code' // `inline code`, ``rst literal``, <code>…</code>
  | 'code-block' // ``` fences, verbatim environments, <pre>, rST literal and code blocks
  | 'html-tag' // <a href="…">, </a>, <br/>
  | 'html-comment' // <!-- … -->
  | 'command' // a LaTeX command with its key arguments, an rST role or directive, a JSDoc tag
  | 'environment' // \begin{itemize} / \end{itemize}
  | 'math' // $…$, $$…$$, \(…\), \[…\], equation environments, :math:`…`
  | 'comment' // % comments in LaTeX, rST comments
  | 'comment-marker' // /* and */ (block delimiters) of code comments
  | 'code-line' // a line of code inside a selection of code with comments
  | 'placeholder' // {name}, {{ name }}, ${name}, %(name)s, %s
  | 'heading' // Markdown # markers, setext/rST adornment lines, thematic breaks
  | 'reference'; // rST name_, [1]_, |substitution|, Markdown footnotes [^1]

export interface MarkupToken {
  kind: MarkupKind;
  /** The token as written (what a report shows). */
  text: string;
  /**
   * What must survive for the token to count as kept. Two tokens with equal keys are the same token,
   * wherever they are: moving a token is fine.
   */
  key: string;
  /**
   * Tokens of one family are the same sort of thing (one LaTeX command, links, inline math): when one is
   * missing and another of its family appeared instead, the report says "altered" rather than "lost".
   */
  family: string;
  /** Other keys this token also satisfies, e.g. a link's destination satisfies a bare URL. */
  aliases?: string[];
  /** Offset of the token in the scanned text. */
  start: number;
}

/** A token of the original whose key the proposal lacks, and what replaced it, if anything did. */
export interface MarkupProblem {
  kind: 'lost' | 'altered';
  token: MarkupToken;
  /** altered only: the proposal's token of the same family that took its place. */
  replacement?: MarkupToken;
  /**
   * What a report says instead of the token's text, when the token alone would not say enough: an English
   * message with {0}, {1}… and its arguments, so the editor can show it in the writer's language.
   */
  description?: { message: string; args: Array<string | number> };
}

export interface MarkupCheck {
  family: MarkupFamily;
  problems: MarkupProblem[];
  /** Human-readable lines, one per distinct problem ("lost: \cite{knuth84}", "… (×2)" when repeated). */
  items: string[];
}
