// What the sidebar shows of a rewrite, read from the editor's own session state (core/rewrite/session.ts):
// the sidebar and the preview draw one state, so they cannot disagree about the text, the phase or the
// candidate shown. The controller projects the state after every transition (view-feed.ts) and the
// sidebar provider posts the result; the webview only replaces its copy. No `vscode` import: unit-tested
// in plain Node (test/unit/rewrite-view.test.ts).
import type { GenerateResult } from '../../core/engine/generation';
import { shownCandidate, type SessionState } from '../../core/rewrite/session';
import type { Level } from '../../core/rubrics/types';
import type { RewriteStats, RewriteView } from '../../shared/protocol';

/** What the session's state does not hold: the style it was started in and the writer's note. */
export interface RewriteViewMeta {
  rubricId: string;
  level: Level;
  note?: string;
  /** The id an error gets when the session failed before any generation started (it has no rewrite id). */
  failedId?: string;
}

/**
 * The sidebar's view of `s`, or undefined while the session has nothing of its own to show yet (preparing
 * its first generation, or a regenerate before it starts): the sidebar then keeps what it showed.
 *
 * Streaming shows the text in focus as it streams (best-of-N: the candidate the preview shows); a preview
 * shows the proposal shown with its stats, markup losses, cut-off note and candidate; a session ended by
 * accept or reject keeps the proposal it decided (the history tells the decision); one ended by cancel,
 * an edit inside the text, an empty answer or the document closing is 'cancelled' with what was shown;
 * one that failed is 'error'.
 */
export function rewriteViewOf(s: SessionState, meta: RewriteViewMeta): RewriteView | undefined {
  const style = { rubricId: meta.rubricId, level: meta.level, ...(meta.note ? { note: meta.note } : {}) };
  const ended = s.ended;
  if (!s.rewriteId) {
    if (ended?.outcome !== 'error') return undefined;
    const id = meta.failedId;
    return id ? { id, ...style, phase: 'error', text: '', error: ended.message ?? '' } : undefined;
  }
  const base = { id: s.rewriteId, ...style };
  const proposal = s.phase === 'preview' ? s.proposals[s.index] : undefined;
  const text = proposal?.text ?? s.streamed;
  if (ended && ended.outcome === 'error') return { ...base, phase: 'error', text, error: ended.message ?? '' };
  const decided = ended?.outcome === 'accepted' || ended?.outcome === 'rejected';
  if (ended && !(decided && proposal)) return { ...base, phase: 'cancelled', text };
  if (!proposal) return { ...base, phase: 'streaming', text };
  // shownCandidate reads the open session only; an ended one keeps the candidate it ended on.
  const candidate = shownCandidate(ended ? { ...s, ended: undefined } : s);
  return {
    ...base,
    phase: 'done',
    text,
    stats: statsOf(proposal.result),
    ...(proposal.markupLost.length ? { markupLost: [...proposal.markupLost] } : {}),
    ...(proposal.cutOff ? { cutOff: proposal.cutOff } : {}),
    ...(candidate ? { candidate } : {}),
  };
}

/** The numbers the sidebar shows of a generation. */
export function statsOf(result: GenerateResult): RewriteStats {
  return {
    promptTokens: result.promptTokens,
    reusedPromptTokens: result.reusedPromptTokens,
    outputTokens: result.outputTokens,
    timeToFirstTokenMs: result.timeToFirstTokenMs,
    tokensPerSecond: result.tokensPerSecond,
    totalMs: result.totalMs,
    ...(result.restoredPromptTokens ? { restoredPromptTokens: result.restoredPromptTokens } : {}),
  };
}
