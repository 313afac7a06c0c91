// The rewrite stream events the sidebar follows (shared/protocol.ts RewriteStreamEvent), made from the
// session's state: started and token come from generation.ts as the text streams; these are the rest.
import * as vscode from 'vscode';
import type { GenerateResult } from '../../core/engine';
import {
  shownCandidate,
  shownProposal,
  type Proposal,
  type SessionEnded,
  type SessionState,
} from '../../core/rewrite/session';
import type { RewriteStreamEvent } from '../../shared/protocol';

export function doneEvent(first: Proposal, result: GenerateResult): RewriteStreamEvent {
  return {
    type: 'done',
    id: first.id,
    text: first.text,
    stats: {
      promptTokens: result.promptTokens,
      reusedPromptTokens: result.reusedPromptTokens,
      outputTokens: result.outputTokens,
      timeToFirstTokenMs: result.timeToFirstTokenMs,
      tokensPerSecond: result.tokensPerSecond,
      totalMs: result.totalMs,
      ...(result.restoredPromptTokens ? { restoredPromptTokens: result.restoredPromptTokens } : {}),
    },
    markupLost: [...first.markupLost],
    ...(first.cutOff ? { cutOff: first.cutOff } : {}),
  };
}

/**
 * How the end of a session shows in the sidebar: accept / reject of a preview show in the history, so
 * nothing; anything else ends the view of the generation (error or cancelled); a failure before any
 * generation started is an error of its own.
 */
export function endEvent(
  before: SessionState,
  ended: SessionEnded,
  newId: () => string,
): RewriteStreamEvent | undefined {
  const message = () => ended.message ?? vscode.l10n.t('The rewrite failed.');
  const decided = before.phase === 'preview' && (ended.outcome === 'accepted' || ended.outcome === 'rejected');
  if (before.rewriteId && !decided)
    return ended.outcome === 'error'
      ? { type: 'error', id: before.rewriteId, message: message() }
      : { type: 'cancelled', id: before.rewriteId };
  if (!before.rewriteId && ended.outcome === 'error') return { type: 'error', id: newId(), message: message() };
  return undefined;
}

/** Best-of-N: which candidate the preview shows. */
export function candidateEvent(state: SessionState): RewriteStreamEvent | undefined {
  const c = shownCandidate(state);
  const p = shownProposal(state);
  if (!c || !p) return undefined;
  return {
    type: 'candidate',
    id: p.id,
    text: p.text,
    ...c,
    markupLost: [...p.markupLost],
    ...(p.cutOff ? { cutOff: p.cutOff } : {}),
  };
}
