// The rewrite stream events (session.ts RewriteStreamEvent: the first-use notice, the walkthrough and tests
// follow them), made from the session's state: started and token come from generation.ts as the text
// streams; these are the rest.
import * as vscode from 'vscode';
import type { GenerateResult } from '../../core/engine';
import {
  shownCandidate,
  shownProposal,
  type Proposal,
  type SessionEnded,
  type SessionState,
} from '../../core/rewrite/session';
import { statsOf } from './rewrite-view';
import type { RewriteStreamEvent } from './session';

export function doneEvent(first: Proposal, result: GenerateResult): RewriteStreamEvent {
  return {
    type: 'done',
    id: first.id,
    text: first.text,
    stats: statsOf(result),
    markupLost: [...first.markupLost],
    ...(first.cutOff ? { cutOff: first.cutOff } : {}),
  };
}

/**
 * The event that ends a session's stream: accept / reject of a preview show in the history, so none;
 * anything else ends the generation (error or cancelled); a failure before any generation started is an
 * error of its own.
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
