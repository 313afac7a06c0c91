// Comparing the protected tokens of an original with those of a proposal.
//
// A token is kept when the proposal has a token with the same key, anywhere (moving is fine). Keys are
// counted: two \cite{a} in and one out is one lost. A token whose key is missing is "altered" when the
// proposal has an unmatched token of the same family in its place (\cite{knuth84} → \cite{knuth1984}, a
// link whose URL changed), and "lost" otherwise. A token may also be satisfied through an alias: a bare
// URL the proposal turned into a link still has its URL.
import { markupFamily } from './family';
import { commentLineProblems, MARKER_DESCRIPTIONS, scanComment } from './scan-comment';
import { TokenSink, scanProse } from './scan-common';
import { scanHtml } from './scan-html';
import { scanLatex } from './scan-latex';
import { scanMarkdown } from './scan-markdown';
import { scanRst } from './scan-rst';
import type { MarkupCheck, MarkupProblem, MarkupToken } from './types';
import { english, l10nKey, type Translate } from '../translate';

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

// The report line's words, English keys of the editor's l10n bundle (the log and the CLI keep English).
const LOST = l10nKey('lost: {0}');
const ALTERED = l10nKey('altered: {0} → {1}');
const REPEATED = l10nKey('{0} (×{1})');

/** "lost: \cite{a}", "altered: [docs](https://a) → [docs](https://b)"; repeats become one line with (×N). */
export function formatProblems(problems: readonly MarkupProblem[], t: Translate = english): string[] {
  const counts = new Map<string, number>();
  for (const p of problems) {
    const line =
      p.kind === 'lost'
        ? t(LOST, p.description ? t(p.description.message, ...p.description.args) : shownToken(p.token.text))
        : t(ALTERED, shownToken(p.token.text), shownToken(p.replacement!.text));
    counts.set(line, (counts.get(line) ?? 0) + 1);
  }
  return [...counts].map(([line, n]) => (n > 1 ? t(REPEATED, line, n) : line));
}

/** A template as a pattern that captures its arguments in order ({0}, {1}… appear in order in these). */
function pattern(template: string): RegExp {
  const parts = template.split(/\{\d+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('(.*?)')}$`, 's');
}

/**
 * The report lines formatProblems wrote in English (what rewrite results, the feedback log and the CLI
 * carry), in the writer's language: each line is read back by the templates that wrote it and written again
 * through `t`. A line these templates did not write is returned unchanged.
 */
export function localizeMarkupLines(lines: readonly string[], t: Translate): string[] {
  const reword = (inner: string): string | undefined => {
    const lost = pattern(LOST).exec(inner);
    if (lost) {
      for (const d of MARKER_DESCRIPTIONS) {
        const m = pattern(d).exec(lost[1]);
        if (m) return t(LOST, t(d, ...m.slice(1).map((a) => (/^\d+$/.test(a) ? Number(a) : a))));
      }
      return t(LOST, lost[1]);
    }
    const altered = pattern(ALTERED).exec(inner);
    return altered ? t(ALTERED, altered[1], altered[2]) : undefined;
  };
  return lines.map((line) => {
    const repeated = /^(.*) \(×(\d+)\)$/s.exec(line);
    const once = repeated && reword(repeated[1]);
    if (repeated && once) return t(REPEATED, once, Number(repeated[2]));
    return reword(line) ?? line;
  });
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
