// The sidebar's view of the latest rewrite (rewrite-view.ts projects it from the session's state):
// kept after the session ends, so a sidebar opened later shows how the last rewrite ended, and fired only
// when it changed.
import * as vscode from 'vscode';
import type { Style } from '../../core/rewrite';
import type { SessionState } from '../../core/rewrite/session';
import type { RewriteView } from '../../shared/protocol';
import { rewriteViewOf } from './rewrite-view';

export class RewriteViewFeed implements vscode.Disposable {
  private view: RewriteView | undefined;
  private readonly emitter = new vscode.EventEmitter<RewriteView>();
  /** The view changed (every token while a rewrite streams). */
  readonly onDidChange = this.emitter.event;

  current(): RewriteView | undefined {
    return this.view;
  }

  /** The view of a session's state; `failedId` names a session that failed before it had an id. */
  follow(state: SessionState, style: Style, note: string | undefined, failedId: string | undefined): void {
    const meta = { rubricId: style.rubric.id, level: style.level, ...(note ? { note } : {}) };
    this.show(rewriteViewOf(state, { ...meta, ...(failedId ? { failedId } : {}) }));
  }

  /** A rewrite that could not start (another is open, nothing to rewrite): shown as its error. */
  refused(id: string, style: Style, message: string): void {
    this.show({ id, rubricId: style.rubric.id, level: style.level, phase: 'error', text: '', error: message });
  }

  private show(view: RewriteView | undefined): void {
    if (!view || (this.view && JSON.stringify(view) === JSON.stringify(this.view))) return;
    this.view = view;
    this.emitter.fire(view);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
