// Comparing the protected tokens of an original with those of a proposal.
//
// A token is kept when the proposal has a token with the same key, anywhere (moving is fine). Keys are
// counted: two \cite{a} in and one out is one lost. A token whose key is missing is "altered" when the
// proposal has an unmatched token of the same family in its place (\cite{knuth84} → \cite{knuth1984}, a
// link whose URL changed), and "lost" otherwise. A token may also be satisfied through an alias: a bare
// URL the proposal turned into a link still has its URL.
import { markupFamily } from './family';
import { commentLineProblems, scanComment } from './scan-comment';
import { TokenSink, scanProse } from './scan-common';
import { scanHtml } from './scan-html';
import { scanLatex } from './scan-latex';
import { scanMarkdown } from './scan-markdown';
import { scanRst } from './scan-rst';
import type { MarkupCheck, MarkupProblem, MarkupToken } from './types';

/** The protected tokens of `text` as a document of `languageId` (VS Code's id), in text order. */
export function extractMarkup(text: string, languageId: string | undefined): MarkupToken[] {
  let sink: TokenSink;
  switch (markupFamily(languageId)) {
    case 'markdown':
      sink = scanMarkdown(text);
      break;
    case 'latex':
      sink = scanLatex(text);
      break;
    case 'html':
      sink = scanHtml(text);
      break;
    case 'rst':
      sink = scanRst(text);
      break;
    case 'comment':
      sink = scanComment(text, languageId);
      break;
    default:
      sink = new TokenSink();
      scanProse(text, 0, text.length, sink);
  }
  return [...sink.tokens].sort((a, b) => a.start - b.start);
}

/** Matches the original's tokens against the proposal's: what is missing, and what replaced it. */
export function compareTokens(original: readonly MarkupToken[], proposal: readonly MarkupToken[]): MarkupProblem[] {
  const byKey = new Map<string, MarkupToken[]>();
  for (const t of proposal) {
    const list = byKey.get(t.key);
    if (list) list.push(t);
    else byKey.set(t.key, [t]);
  }
  const used = new Set<MarkupToken>();
  const missing: MarkupToken[] = [];
  for (const t of original) {
    const match = byKey.get(t.key)?.find((p) => !used.has(p));
    if (match) used.add(match);
    else missing.push(t);
  }
  // Aliases are separate from keys: a link can both be the original's link and carry its bare URL.
  const aliasUsed = new Set<MarkupToken>();
  const stillMissing = missing.filter((t) => {
    const match = proposal.find((p) => !aliasUsed.has(p) && p.aliases?.includes(t.key));
    if (match) aliasUsed.add(match);
    return !match;
  });
  return stillMissing.map((token): MarkupProblem => {
    const replacement = proposal.find((p) => !used.has(p) && p.family === token.family);
    if (!replacement) return { kind: 'lost', token };
    used.add(replacement);
    return { kind: 'altered', token, replacement };
  });
}

const MAX_SHOWN = 60;

/** A token as a report shows it: on one line, cut to a readable length. */
export function shownToken(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_SHOWN ? `${flat.slice(0, MAX_SHOWN - 1)}…` : flat;
}

/** "lost: \cite{a}", "altered: [docs](https://a) → [docs](https://b)"; repeats become one line with (×N). */
export function formatProblems(problems: readonly MarkupProblem[]): string[] {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const line =
      p.kind === 'lost'
        ? `lost: ${p.description ?? shownToken(p.token.text)}`
        : `altered: ${shownToken(p.token.text)} → ${shownToken(p.replacement!.text)}`;
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? `${line} (×${n})` : line));
}

/**
 * Checks that the proposal kept the original's markup. `languageId` is the document's (VS Code's id:
 * markdown, latex, html, restructuredtext, plaintext, or a code language whose comments are rewritten).
 */
export function checkMarkup(original: string, proposal: string, languageId: string | undefined): MarkupCheck {
  const family = markupFamily(languageId);
  const problems = compareTokens(extractMarkup(original, languageId), extractMarkup(proposal, languageId));
  if (family === 'comment') problems.push(...commentLineProblems(original, proposal, languageId));
  return { family, problems, items: formatProblems(problems) };
}

/** Just the report lines of checkMarkup: empty when everything survived. */
export function markupLost(original: string, proposal: string, languageId: string | undefined): string[] {
  return checkMarkup(original, proposal, languageId).items;
}
