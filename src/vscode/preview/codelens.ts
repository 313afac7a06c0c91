// The action row above a rewrite: the style and "Accept (key) | Reject (key) | Regenerate | Compare |
// Cancel" once the proposal is complete, a progress label and "Cancel (key)" while it streams. The same
// actions as the links in the preview zone (preview-actions.ts), with the preview's id as argument.
import * as vscode from 'vscode';
import type { PreviewAction } from './preview-body';

export interface LensState {
  doc: vscode.TextDocument;
  range: vscode.Range;
  /** The first lens: the style, or what is happening ("Rewriting: Concision · Telegraphic"). */
  heading: string;
  actions: readonly PreviewAction[];
}

export class PreviewCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private state: LensState | undefined;
  private lastKey = '';

  set(state: LensState | undefined): void {
    const key = state
      ? JSON.stringify([state.doc.uri.toString(), state.range.start.line, state.heading, state.actions])
      : '';
    this.state = state;
    if (key === this.lastKey) return;
    this.lastKey = key;
    this.changed.fire();
  }

  /** The row as last set (tests). */
  current(): { heading: string; actions: readonly PreviewAction[] } | undefined {
    return this.state ? { heading: this.state.heading, actions: this.state.actions } : undefined;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const s = this.state;
    if (!s || s.doc !== doc) return [];
    const at = new vscode.Range(s.range.start.line, 0, s.range.start.line, 0);
    return [
      new vscode.CodeLens(at, { title: s.heading, command: '' }),
      ...s.actions.map(
        (a) =>
          new vscode.CodeLens(at, {
            // A lens row does not wrap: keys are named only when they are one platform's (see key-labels.ts).
            title: a.key && !a.key.includes(' / ') ? `${a.title} (${a.key})` : a.title,
            command: a.command,
            arguments: a.args,
            tooltip: a.key ? `${a.tooltip ?? a.title} (${a.key})` : a.tooltip,
          }),
      ),
    ];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
