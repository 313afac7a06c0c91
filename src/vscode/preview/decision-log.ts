// What the writer decided about each rewrite, in two places: the feedback log (a rewrite event per logged
// part or best-of run, a decision per accept / reject) and the sidebar's recent history. The controller
// tells it what happened; it keeps the history and writes through the feedback recorder.
import * as vscode from 'vscode';
import type { Level } from '../../core/rubrics';
import type { HistoryEntry } from '../../shared/protocol';
import type { Proposal } from '../../core/rewrite/session';
import type { Decision } from '../../core/feedback/types';
import type { FeedbackRecorder } from '../feedback/recorder';

const HISTORY_LIMIT = 20;

export class DecisionLogger implements vscode.Disposable {
  private readonly recent: HistoryEntry[] = [];
  /** The history entry (its id) each logged rewrite id belongs to: a rewrite in parts logs several. */
  private readonly entryOf = new Map<string, string>();
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
      this.entryOf.set(part.rewriteId, proposals[0].id);
      void this.feedback.recordRewrite(part.rewriteId, part.record);
    }
    const first = proposals[0];
    this.recent.unshift({ id: first.id, time, ...style, original, output: first.text, decision: 'pending' });
    if (this.recent.length > HISTORY_LIMIT) {
      const gone = this.recent.pop()!;
      for (const [rewriteId, entry] of this.entryOf) if (entry === gone.id) this.entryOf.delete(rewriteId);
    }
    this.historyEmitter.fire(this.recent);
  }

  /** The preview was closed with no decision (Cancel, Escape): the history says so; the log gets nothing. */
  cancelled(id: string): void {
    const entry = this.recent.find((h) => h.id === id);
    if (!entry || entry.decision !== 'pending') return;
    entry.decision = 'cancelled';
    this.historyEmitter.fire(this.recent);
  }

  /**
   * A decision the edit tracker logged after Accept (an undo: rejected; an edit: edited; edited back:
   * accepted): the history shows the log's latest word, never an earlier one the log has overruled.
   */
  later(rewriteId: string, decision: Decision, final: string): void {
    const id = this.entryOf.get(rewriteId);
    const entry = id === undefined ? undefined : this.recent.find((h) => h.id === id);
    if (!entry) return;
    entry.decision = decision;
    if (decision === 'edited' && entry.id === rewriteId) entry.output = final;
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

  /**
   * Per-change accept: the writer took some of the proposal's changes and left others. The mix is their
   * own text, so each part is logged as edited with its text in the mix (a best-of candidate: the whole
   * mix, naming the candidate it was mixed from): pairs then choose what the writer kept.
   */
  mixed(p: Proposal): void {
    for (const part of p.parts) {
      if (!part.rewriteId || !part.record) continue;
      if (p.candidate) void this.feedback.recordDecision(part.rewriteId, 'edited', p.text, p.candidate.index);
      else void this.feedback.recordDecision(part.rewriteId, 'edited', p.text.slice(part.range.start, part.range.end));
    }
    const entry = this.recent.find((h) => h.id === p.id);
    if (entry) {
      entry.decision = 'edited';
      entry.output = p.text;
      this.historyEmitter.fire(this.recent);
    }
  }

  dispose(): void {
    this.historyEmitter.dispose();
  }
}
