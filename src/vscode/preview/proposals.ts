// From what core/rewrite's rewrite() returns to what the preview shows and Accept writes: the preview's
// proposals with their feedback-log ids, word marks and cut-off notes, and the proposal's text in the
// document's own line endings with where each logged part lands in it.
import * as vscode from 'vscode';
import type { RewriteResult } from '../../core/rewrite';
import type { AcceptedPart, Proposal } from '../../core/rewrite/session';
import { wordDiff } from '../../core/rewrite/word-diff';
import { mixOffset, proposalChanges, type TakenChanges } from '../../core/rewrite/changes';

/**
 * The preview's proposals for a finished rewrite. Record i is logged under ids[i]: the generation's id
 * for the first (the one its stream events carry), a fresh one from `newId` for each further part.
 */
export function toProposals(
  done: Extract<RewriteResult, { status: 'done' }>,
  firstId: string,
  newId: () => string,
  original: string,
  cap: number,
): Proposal[] {
  const ids = done.records.map((_, i) => (i === 0 ? firstId : newId()));
  return done.proposals.map((p) => ({
    id: firstId,
    text: p.text,
    parts: p.parts.map((part) => ({
      ...(part.record !== undefined ? { rewriteId: ids[part.record], record: done.records[part.record] } : {}),
      range: part.range,
      original: part.original,
    })),
    markupLost: p.markupLost,
    ...(p.cutOff ? { cutOff: cutOffNote(p.cutOff, p.parts.length, p.maxTokens, cap) } : {}),
    diff: wordDiff(original, p.text),
    changes: proposalChanges(original, p.text),
    result: p.result,
    ...(p.candidate
      ? {
          candidate: {
            index: p.candidate.index,
            written: p.candidate.written,
            score: p.candidate.score,
            critique: p.candidate.critique,
          },
        }
      : {}),
  }));
}

/** The budget used is named: it scales with the selection, up to the cptWriter.maxTokens cap. */
function cutOffNote(cut: number, parts: number, budget: number, cap: number): string {
  return parts === 1
    ? vscode.l10n.t(
        'Cut off at {0} tokens (about twice the selection, at most {1}: the cptWriter.maxTokens setting): ' +
          'the proposal may be incomplete.',
        budget,
        cap,
      )
    : vscode.l10n.t(
        '{0} of {1} parts were cut off at {2} tokens (about twice the part, at most {3}: ' +
          'the cptWriter.maxTokens setting).',
        cut,
        parts,
        budget,
        cap,
      );
}

/**
 * The proposal's text with every line break in the document's own form, and where each part with a
 * logged rewrite landed in it, so what is written (and followed by the edit tracker) is exactly what
 * the document will hold.
 */
export function inDocumentEol(p: Proposal, eol: '\n' | '\r\n'): { text: string; parts: AcceptedPart[] } {
  const convert = (t: string) => t.replace(/\r?\n/g, eol);
  let text = '';
  let from = 0;
  const parts: AcceptedPart[] = [];
  for (const part of p.parts) {
    text += convert(p.text.slice(from, part.range.start));
    const start = text.length;
    text += convert(p.text.slice(part.range.start, part.range.end));
    if (part.rewriteId)
      parts.push({
        rewriteId: part.rewriteId,
        ...(p.candidate ? { candidate: p.candidate.index } : {}),
        start,
        end: text.length,
        original: part.original,
      });
    from = part.range.end;
  }
  text += convert(p.text.slice(from));
  return { text, parts };
}

/**
 * Per-change accept: the proposal as the writer mixed it (`text`, from the session's shownMix), each part's
 * range moved to where its text is in the mix, so the parts' decisions and the edit tracker follow what
 * was written.
 */
export function mixedProposal(p: Proposal, text: string, taken: TakenChanges): Proposal {
  const changes = p.changes ?? [];
  return {
    ...p,
    text,
    parts: p.parts.map((part) => ({
      ...part,
      range: {
        start: mixOffset(changes, taken, part.range.start, 'start'),
        end: mixOffset(changes, taken, part.range.end, 'end'),
      },
    })),
  };
}
