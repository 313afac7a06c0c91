// The types the rewrite controller reports the open rewrite in. The session's state itself is the pure
// reducer's (src/core/rewrite/session.ts); these are what the sidebar, the edit tracker and tests see.
import type * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { Style } from '../../core/rewrite';
import type { Level } from '../../core/rubrics';
import type { FeedbackRecorder } from '../feedback/recorder';
import type { Notifier } from '../common/notify';
import type { JudgeService } from '../judge/judge-service';
import type { ModelService } from '../model/model-service';
import type { ManifestKeybinding } from './key-labels';
import type { SessionEnded, SessionPhase, SessionState } from '../../core/rewrite/session';
import type { CandidateInfo, RewriteStats } from '../../shared/protocol';

export type { AcceptedPart, EndOutcome, Proposal, ProposalPart, SessionState } from '../../core/rewrite/session';

export type RewritePhase = 'idle' | SessionPhase;
export type RewriteEnded = SessionEnded;

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
  | {
      outcome: import('../../core/rewrite/session').EndOutcome | 'busy' | 'no-selection' | 'no-model';
      message?: string;
    };

/**
 * One step of a rewrite, in order: started, token*, then exactly one of done / error / cancelled (best-of-N:
 * 'candidate' after 'done' and on each step). What the first-use notice, the walkthrough and tests follow;
 * the sidebar draws the session's state instead (rewrite-view.ts).
 */
export type RewriteStreamEvent =
  /** A generation began (a regenerate is a new `started` with a new id). */
  | { type: 'started'; id: string; rubricId: string; level: Level; original: string; note?: string }
  /** The proposal as streamed since the last token event, cleaned as it comes (parts: with their separators). */
  | { type: 'token'; id: string; text: string }
  /** The cleaned proposal is shown as a preview, with its markup losses and cut-off note, if any. */
  | { type: 'done'; id: string; text: string; stats: RewriteStats; markupLost?: string[]; cutOff?: string }
  /** The rewrite failed, or could not start (then no `started` came first). */
  | { type: 'error'; id: string; message: string }
  /** Stopped by the writer, by an edit inside the text, or by closing the document. */
  | { type: 'cancelled'; id: string }
  /** Best-of-N: the preview shows candidate `index` of `count`, with its judged score against the target. */
  | ({ type: 'candidate'; id: string; text: string; markupLost?: string[]; cutOff?: string } & CandidateInfo);

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

export interface RewriteControllerDeps {
  models: ModelService;
  feedback: FeedbackRecorder;
  notifier: Notifier;
  logger: Logger;
  /** Select Model… (model/select-model.ts): asked for when no model is configured, then the rewrite continues. */
  selectModel(): Promise<unknown>;
  /** The manifest's keybindings, for the key hints in the preview. */
  keybindings?: readonly ManifestKeybinding[];
  /** Who scores best-of-N candidates (cptWriter.bestOf above 1). */
  judge: JudgeService;
}

export interface RunOptions {
  /** A one-off instruction for this rewrite ("keep it under 50 words"). */
  note?: string;
}

/** The open rewrite: the reducer's state and the editor resources that go with it. */
export interface OpenSession {
  readonly doc: vscode.TextDocument;
  readonly style: Style;
  readonly note: string | undefined;
  /** The text around the target when the rewrite started (the model reads it as context). */
  readonly surrounding: { before: string; after: string };
  state: SessionState;
  abort?: AbortController;
  tracking?: vscode.Disposable;
  renderTimer?: NodeJS.Timeout;
}
