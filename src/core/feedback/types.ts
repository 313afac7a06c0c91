import type { PromptMode } from '../prompts/types';
import type { Level } from '../rubrics/types';

/** Schema version written in every event's `v`. */
export const FEEDBACK_SCHEMA_VERSION = 1;

export interface RewriteEvent {
  v: 1;
  type: 'rewrite';
  id: string;
  time: string;
  rubric: { id: string; hash: string };
  level: Level;
  mode: PromptMode;
  system: string;
  user: string;
  original: string;
  output: string;
  model: RewriteModel;
  sampling: { temperature?: number; maxTokens?: number; seed?: number };
  document: { languageId: string; path: string };
  // Added with the markup guard, the note and context, and rewriting in parts; absent in older logs.
  /** The markup guard's report lines for this output ([] = nothing lost; absent = logged before the guard). */
  markupLost?: string[];
  /** The writer's one-off note for this rewrite (it is also in `user`, where the model read it). */
  note?: string;
  /** The read-only context given with the text (also in `user`). */
  context?: { before: string; after: string };
  /** One part of a text rewritten in parts: 0-based index of count; the parts of one run share a group. */
  part?: { index: number; count: number; group: string };
  // Added with best-of-N; absent in older logs and for single rewrites.
  /**
   * Every candidate of a best-of-N rewrite, each judged against the rubric, nearest its level's target
   * first (candidates[0] is `output`). All share this event's prompt; they differ in seed.
   */
  candidates?: RewriteCandidate[];
}

/**
 * The model that wrote a rewrite. Its content identity (added with model identity; absent in older logs):
 * the label as the writer gave it (the model spec, with adapters and scales after it), the fingerprint of
 * the GGUF's bytes (core/engine/fingerprint.ts), and each applied adapter with its own fingerprint and scale.
 * Two checkpoints with one file name differ in fingerprint; a base and an adapter run differ in adapters.
 */
export interface RewriteModel {
  name: string;
  file: string;
  label?: string;
  fingerprint?: string;
  adapters?: Array<{ label: string; fingerprint: string; scale: number }>;
}

/** One best-of-N candidate as logged. */
export interface RewriteCandidate {
  output: string;
  /** The judge's score, a whole number 0–100. */
  score: number;
  /** The sampling seed it was written with. */
  seed: number;
  /** The markup guard's report for this candidate ([] = nothing lost). */
  markupLost: string[];
  /** The judge's short critique. */
  critique?: string;
}

export type Decision = 'accepted' | 'rejected' | 'edited';

export interface DecisionEvent {
  v: 1;
  type: 'decision';
  id: string;
  time: string;
  rewriteId: string;
  decision: Decision;
  /** The text that ended up in the document (accepted/edited) or the rejected output (rejected). */
  final: string;
  /**
   * For a best-of-N rewrite: the index in its `candidates` the writer accepted (or edited from); absent
   * means candidates[0], the one shown first. Added with best-of-N.
   */
  candidate?: number;
}

export type FeedbackEvent = RewriteEvent | DecisionEvent;
