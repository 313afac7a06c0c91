// The one rewrite-view reducer: how the rewrite the sidebar shows follows the stream of rewrite events.
// The host (src/vscode/sidebar/provider.ts) runs it to keep the state it sends on every 'ready'; the
// webview (webview/state.ts) runs it on the events it receives. Same rules on both sides, so a view
// rebuilt from the host's state matches the one the webview built event by event.
import type { RewriteStreamEvent, RewriteView, StyleChoice } from './protocol';

/**
 * The view after `e`. Returns `view` itself (the same object) when the event is not about the rewrite
 * shown: a token, done or cancelled event for another id, or a token after streaming ended. A 'started'
 * event always replaces the view; an 'error' for another id is a rewrite that failed to start, shown in
 * `fallbackStyle` (the current style) since it never said which style it had.
 */
export function reduceRewriteView(
  view: RewriteView | undefined,
  e: RewriteStreamEvent,
  fallbackStyle: StyleChoice,
): RewriteView | undefined {
  switch (e.type) {
    case 'started':
      return {
        id: e.id,
        rubricId: e.rubricId,
        level: e.level,
        phase: 'streaming',
        text: '',
        ...(e.note ? { note: e.note } : {}),
      };
    case 'token':
      return view && view.id === e.id && view.phase === 'streaming' ? { ...view, text: view.text + e.text } : view;
    case 'done':
      return view && view.id === e.id
        ? {
            ...view,
            phase: 'done',
            text: e.text,
            stats: e.stats,
            ...(e.markupLost?.length ? { markupLost: e.markupLost } : {}),
            ...(e.cutOff ? { cutOff: e.cutOff } : {}),
          }
        : view;
    case 'candidate':
      return view && view.id === e.id
        ? {
            ...withoutCandidateMarks(view),
            text: e.text,
            candidate: { index: e.index, count: e.count, score: e.score, target: e.target, critique: e.critique },
            ...(e.markupLost?.length ? { markupLost: e.markupLost } : {}),
            ...(e.cutOff ? { cutOff: e.cutOff } : {}),
          }
        : view;
    case 'cancelled':
      return view && view.id === e.id ? { ...view, phase: 'cancelled' } : view;
    case 'error':
      return view && view.id === e.id
        ? { ...view, phase: 'error', error: e.message }
        : {
            id: e.id,
            rubricId: fallbackStyle.rubricId,
            level: fallbackStyle.level,
            phase: 'error',
            text: '',
            error: e.message,
          };
  }
}

/** A view without the marks that belong to one candidate (they are replaced when another is shown). */
function withoutCandidateMarks(view: RewriteView): RewriteView {
  const { markupLost: _m, cutOff: _c, ...rest } = view;
  return rest;
}
