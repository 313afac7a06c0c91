// What the writer decided about each rewrite, in two places: the feedback log (a rewrite event per logged
// part or best-of run, a decision per accept / reject) and the sidebar's recent history. The controller
// tells it what happened; it keeps the history and writes through the feedback recorder.
import * as vscode from 'vscode';
import type { Level } from '../../core/rubrics';
import type { HistoryEntry } from '../../shared/protocol';
import type { Proposal } from '../../core/rewrite/session';
import type { FeedbackRecorder } from '../feedback/recorder';

const HISTORY_LIMIT = 20;

export class DecisionLogger implements vscode.Disposable {
  private readonly recent: HistoryEntry[] = [];
  private readonly historyEmitter = new vscode.EventEmitter<readonly HistoryEntry[]>();
  readonly onDidChangeHistory = this.historyEmitter.event;

  constructor(private readonly feedback: FeedbackRecorder) {}

  history(): readonly HistoryEntry[] {
    return this.recent;
  }

  /**
   * A generation reached its preview: every record it made goes to the log (one per part with a
   * proposal, or one with every best-of candidate in it), and the first proposal to the history.
   */
  previewed(proposals: readonly Proposal[], time: string, style: { rubricId: string; level: Level }, original: string) {
    const logged = new Set<string>();
    for (const part of proposals.flatMap((p) => p.parts)) {
      if (!part.rewriteId || !part.record || logged.has(part.rewriteId)) continue;
      logged.add(part.rewriteId);
      void this.feedback.recordRewrite(part.rewriteId, part.record);
    }
    const first = proposals[0];
    this.recent.unshift({ id: first.id, time, ...style, original, output: first.text, decision: 'pending' });
    if (this.recent.length > HISTORY_LIMIT) this.recent.pop();
    this.historyEmitter.fire(this.recent);
  }

  /**
   * One decision per part with a logged rewrite, each with that part's text as the model wrote it; for a
   * best-of-N candidate, the candidate's text and its place among the logged candidates.
   */
  decided(p: Proposal, decision: 'accepted' | 'rejected'): void {
    for (const part of p.parts) {
      if (!part.rewriteId || !part.record) continue;
      if (p.candidate) void this.feedback.recordDecision(part.rewriteId, decision, p.text, p.candidate.index);
      else void this.feedback.recordDecision(part.rewriteId, decision, part.record.output);
    }
    const entry = this.recent.find((h) => h.id === p.id);
    if (entry) {
      entry.decision = decision;
      if (decision === 'accepted') entry.output = p.text;
      this.historyEmitter.fire(this.recent);
    }
  }

  dispose(): void {
    this.historyEmitter.dispose();
  }
}
