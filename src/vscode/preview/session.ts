// The rewrite in progress, and the types the controller reports it in. The target is kept as offsets
// into the document (moved by edits elsewhere, see RewriteController.documentChanged).
import * as vscode from 'vscode';
import type { ScoredCandidate, Style } from '../../core/rewrite';
import { levelName } from '../../core/rubrics';
import type { Level } from '../../core/rubrics';

export type RewritePhase = 'idle' | 'preparing' | 'streaming' | 'preview';

export type EndOutcome = 'accepted' | 'rejected' | 'cancelled' | 'conflict' | 'error' | 'empty';

export type RewriteRunResult =
  | { outcome: 'preview'; proposal: string; rewriteId: string }
  | { outcome: EndOutcome | 'busy' | 'no-selection' | 'no-model'; message?: string };

/** What the sidebar and tests see of the rewrite in progress. */
export interface RewriteSnapshot {
  phase: RewritePhase;
  rubricId?: string;
  rubricTitle?: string;
  level?: Level;
  levelName?: string;
  original?: string;
  /** Streamed text so far (streaming) or the cleaned proposal (preview). */
  proposal?: string;
  documentUri?: string;
  /** Best-of-N: the candidate shown (preview), or what is being written or judged (progress). */
  candidate?: CandidateView;
  progress?: string;
}

export interface RewriteEnded {
  outcome: EndOutcome; message?: string; proposal?: string; rewriteId?: string;
  /** Best-of-N: the index in the logged candidates of the one shown when it ended. */
  candidate?: number;
}

/** Best-of-N in the preview: the candidate shown among all, with its judged score against the level's target. */
export interface CandidateView {
  index: number;
  count: number;
  score: number;
  target: number;
  critique: string;
}

/** The state of the one open rewrite: where its target is, what streamed, how it ended. */
export class Session {
  phase: Exclude<RewritePhase, 'idle'> = 'preparing';
  raw = '';
  proposal = '';
  /** The id of the current generation: in stream events, history and the feedback log. */
  rewriteId: string | undefined;
  /** True once the current generation reached preview (its 'done' event was sent). */
  done = false;
  abort: AbortController | undefined;
  /** Bumped per generation so late tokens of a cancelled or regenerated stream are ignored. */
  generation = 0;
  ended: RewriteEnded | undefined;
  tracking: vscode.Disposable | undefined;
  note: string | undefined;
  renderTimer: NodeJS.Timeout | undefined;
  /** Best-of-N: every candidate, nearest the target first (the order the log keeps), and the one shown. */
  candidates: ScoredCandidate[] = [];
  index = 0;
  target: number | undefined;
  /** Best-of-N progress while generating ("candidate 2 of 3", "judging 1 of 3"). */
  progress: string | undefined;

  constructor(
    readonly doc: vscode.TextDocument,
    public start: number,
    public end: number,
    readonly original: string,
    readonly style: Style,
  ) {}

  get range(): vscode.Range {
    return new vscode.Range(this.doc.positionAt(this.start), this.doc.positionAt(this.end));
  }

  get label(): string {
    return `${this.style.rubric.title} · ${levelName(this.style.rubric, this.style.level)}`;
  }

  /** The candidate shown, as the preview and the sidebar present it; undefined for a single rewrite. */
  get candidate(): CandidateView | undefined {
    const c = this.candidates[this.index];
    if (!c || this.target === undefined) return undefined;
    return { index: this.index, count: this.candidates.length, score: c.score, target: this.target, critique: c.critique };
  }
}
