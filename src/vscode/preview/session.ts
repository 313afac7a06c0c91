// The rewrite in progress, and the types the controller reports it in. The target is kept as offsets
// into the document (moved by edits elsewhere, see RewriteController.documentChanged).
//
// A session holds a list of proposals and the index of the one shown, so that the preview renders "the
// current proposal" in one place: one proposal for a single rewrite (Regenerate replaces it), or every
// best-of-N candidate, nearest the level's target first, for the writer to step through.
import * as vscode from 'vscode';
import type { GenerateResult } from '../../core/engine/types';
import type { RewriteRecord, Style } from '../../core/rewrite';
import { levelName } from '../../core/rubrics';
import type { Level } from '../../core/rubrics';
import type { TextRange, WordDiff } from './word-diff';

export type RewritePhase = 'idle' | 'preparing' | 'streaming' | 'preview';

export type EndOutcome = 'accepted' | 'rejected' | 'cancelled' | 'conflict' | 'error' | 'empty';

export type RewriteRunResult =
  | {
      outcome: 'preview';
      proposal: string;
      /** The preview's id: its first part's rewrite id (the only one for a text rewritten in one part). */
      rewriteId: string;
      /** The feedback-log ids of the parts that produced a proposal, in order. */
      rewriteIds: string[];
      /** What of the original's markup the proposal lost or altered; [] when nothing. */
      markupLost: string[];
    }
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
  /** The target's offsets in the document (they move with edits elsewhere). */
  start?: number;
  end?: number;
  note?: string;
  /** Parts the text is rewritten in, once known (1 for a text that fits the context). */
  parts?: number;
  markupLost?: string[];
  /** Best-of-N: the candidate shown, with its judged score against the level's target. */
  candidate?: CandidateView;
}

/** Best-of-N in the preview: the candidate shown among all, with its judged score against the level's target. */
export interface CandidateView {
  /** Its place among the candidates as shown and logged (0 = nearest the target). */
  index: number;
  count: number;
  score: number;
  target: number;
  critique: string;
}

/** One part of a proposal: where it is in the proposal's text, and what the feedback log knows of it. */
export interface ProposalPart {
  /** The feedback-log id of the part's rewrite; undefined when the model gave nothing usable (the original is kept). */
  rewriteId?: string;
  /** The rewrite event logged for the part (with the exact prompt it was rewritten with). */
  record?: RewriteRecord;
  /** Where the part's replacement is in the proposal's text. */
  range: TextRange;
  /** The part of the original it replaces. */
  original: string;
}

/** A finished proposal for the session's text. */
export interface Proposal {
  /** The preview's id (stream events, history, the sidebar's Accept): the first part's rewrite id. */
  id: string;
  text: string;
  parts: ProposalPart[];
  markupLost: string[];
  /** Why the proposal may be incomplete, if it may. */
  cutOff?: string;
  /** Word marks, computed once when the proposal is complete (undefined when the diff took too long). */
  diff?: WordDiff;
  result: GenerateResult;
  /** Best-of-N: the judge's verdict on this candidate; `index` is its place in the logged candidates. */
  candidate?: { index: number; score: number; critique: string };
}

/** A part that ended up in the document after an accept, for the edit tracker: offsets into the accepted text. */
export interface AcceptedPart {
  rewriteId: string;
  /** Best-of-N: which logged candidate of the rewrite this is, so later decisions name the same one. */
  candidate?: number;
  start: number;
  end: number;
  original: string;
}

export interface RewriteEnded {
  outcome: EndOutcome;
  message?: string;
  proposal?: string;
  rewriteId?: string;
  /** accepted: the parts with a logged rewrite, where each landed in `proposal` (as written to the document). */
  parts?: AcceptedPart[];
}

/** The state of the one open rewrite: where its target is, what streamed, how it ended. */
export class Session {
  phase: Exclude<RewritePhase, 'idle'> = 'preparing';
  /** The proposal as it streams (cleaned as it comes; separators and kept parts included). */
  streamed = '';
  /** The finished proposals and the one shown. */
  proposals: Proposal[] = [];
  index = 0;
  /** The id of the current generation: in stream events, history and the feedback log. */
  rewriteId: string | undefined;
  /** True once the current generation reached preview (its 'done' event was sent). */
  done = false;
  abort: AbortController | undefined;
  /** Bumped per generation so late tokens of a cancelled or regenerated stream are ignored. */
  generation = 0;
  ended: RewriteEnded | undefined;
  tracking: vscode.Disposable | undefined;
  renderTimer: NodeJS.Timeout | undefined;
  /** "part 2 of 3" while a text is rewritten in parts. */
  progress: { index: number; count: number } | undefined;
  /** Best-of-N while generating: "candidate 2 of 3", "judging 3 candidates". */
  activity: string | undefined;
  /** Best-of-N: the level's target score the candidates were judged against. */
  target: number | undefined;
  /** The preview zone was scrolled into view once for this session. */
  revealed = false;
  /** Accept is waiting for the writer's answer about lost markup. */
  confirming = false;

  constructor(
    readonly doc: vscode.TextDocument,
    public start: number,
    public end: number,
    readonly original: string,
    readonly style: Style,
    /** The writer's one-off note for this rewrite. */
    readonly note: string | undefined,
    /** The text around the target when the rewrite started (the model reads it as context). */
    readonly surrounding: { before: string; after: string },
  ) {}

  get range(): vscode.Range {
    return new vscode.Range(this.doc.positionAt(this.start), this.doc.positionAt(this.end));
  }

  /** The proposal shown, once there is one. */
  get proposal(): Proposal | undefined {
    return this.phase === 'preview' ? this.proposals[this.index] : undefined;
  }

  /** Best-of-N: the candidate shown, as the preview and the sidebar present it; undefined for a single rewrite. */
  get candidate(): CandidateView | undefined {
    const c = this.proposal?.candidate;
    if (!c || this.target === undefined) return undefined;
    return { index: c.index, count: this.proposals.length, score: c.score, target: this.target, critique: c.critique };
  }

  get label(): string {
    return `${this.style.rubric.title} · ${levelName(this.style.rubric, this.style.level)}`;
  }
}
