// How the webview's copy of the sidebar state follows the host's messages. Pure (no DOM), so the
// stream handling can be unit-tested in Node.
import type { HostToWebview, SidebarState } from '../src/shared/protocol';

export function applyHostMessage(state: SidebarState | undefined, m: HostToWebview): SidebarState | undefined {
  if (m.type === 'state') return m.state;
  // Partial updates mean nothing before the first full state; the host sends one on 'ready'.
  if (!state) return state;
  switch (m.type) {
    case 'rubrics':
      return { ...state, rubrics: m.rubrics, problems: m.problems, promptMode: m.promptMode };
    case 'style':
      return { ...state, style: m.style, promptMode: m.promptMode };
    case 'model':
      return { ...state, model: m.model, promptMode: m.promptMode };
    case 'history':
      return { ...state, history: m.history };
    case 'rewrite':
      return { ...state, rewrite: m.rewrite };
    case 'styleCheck': {
      const { styleCheck: _old, ...rest } = state;
      return m.styleCheck ? { ...rest, styleCheck: m.styleCheck } : rest;
    }
  }
}

/** Whether the Accept/Reject buttons apply: the rewrite finished and the writer has not decided yet. */
export function awaitingDecision(state: SidebarState): boolean {
  const r = state.rewrite;
  if (!r || r.phase !== 'done') return false;
  const entry = state.history.find((h) => h.id === r.id);
  return !entry || entry.decision === 'pending';
}
