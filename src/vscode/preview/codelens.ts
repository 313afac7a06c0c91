// The action row above a rewrite: "Accept | Reject | Regenerate | Cancel" once the proposal is complete,
// a progress label and "Cancel (Esc)" while it streams.
import * as vscode from 'vscode';
import type { CandidateView } from './session';

export interface LensState {
  doc: vscode.TextDocument;
  range: vscode.Range;
  phase: 'preparing' | 'streaming' | 'preview';
  label: string;
  note?: string;
  /** Best-of-N: the candidate shown, with its score against the target. */
  candidate?: CandidateView;
  /** Best-of-N progress while generating. */
  progress?: string;
}

export class PreviewCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private state: LensState | undefined;

  set(state: LensState | undefined): void {
    this.state = state;
    this.changed.fire();
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const s = this.state;
    if (!s || s.doc !== doc) return [];
    const at = new vscode.Range(s.range.start.line, 0, s.range.start.line, 0);
    const lens = (title: string, command = '', tooltip?: string) => new vscode.CodeLens(at, { title, command, tooltip });
    if (s.phase !== 'preview') {
      return [
        lens(`$(sync~spin) ${s.phase === 'preparing' ? 'Preparing' : 'Rewriting'}: ${s.label}${s.progress ? ` (${s.progress})` : ''}`),
        lens('Cancel (Esc)', 'cptWriter.cancelRewrite', 'Stop generating; your text stays as it is'),
      ];
    }
    const c = s.candidate;
    const stepping = c && c.count > 1 ? [
      lens(`$(law) ${c.score} → target ${c.target} · candidate ${c.index + 1} of ${c.count}`, '', c.critique || "The judge's score for this candidate"),
      lens('Previous (Alt+[)', 'cptWriter.previousCandidate', 'Show the previous candidate'),
      lens('Next (Alt+])', 'cptWriter.nextCandidate', 'Show the next candidate'),
    ] : [];
    return [
      lens(`$(sparkle) ${s.label}${s.note ? ` (${s.note})` : ''}`),
      ...stepping,
      lens('Accept (Ctrl+Enter)', 'cptWriter.acceptRewrite', 'Replace the selection with the proposal (one undo restores it)'),
      lens('Reject (Ctrl+Backspace)', 'cptWriter.rejectRewrite', 'Discard the proposal and record it as rejected'),
      lens('Regenerate', 'cptWriter.regenerateRewrite', 'Reject this proposal and make a new one in the same style'),
      lens('Compare', 'cptWriter.compareRewrite', 'Show the proposal in place in a side-by-side diff (wraps long paragraphs)'),
      lens('Cancel', 'cptWriter.cancelRewrite', 'Close the preview without recording a decision'),
    ];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
