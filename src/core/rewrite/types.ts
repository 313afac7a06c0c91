import type { Engine, ModelInfo, GenerateResult } from '../engine/types';
import type { RewriteEvent } from '../feedback/types';
import type { PromptMode, PromptModeSetting } from '../prompts/types';
import type { RewriteContext } from '../prompts/rewrite-message';
import type { Level, Rubric } from '../rubrics/types';

/** A style: a rubric and a level on its 1–5 scale. */
export interface Style {
  rubric: Rubric;
  level: Level;
}

/** The two messages a rewrite sends, and the mode that produced the system prompt. */
export interface RewritePrompt {
  mode: PromptMode;
  system: string;
  user: string;
}

export interface Sampling {
  temperature: number;
  maxTokens: number;
  seed?: number;
}

/** Where the text comes from: its language decides the markup line of the instruction; both are logged. */
export interface TextSource {
  /** VS Code's language id (markdown, latex, plaintext, or a code language for comments). */
  languageId?: string;
  /** A workspace-relative path or a URI for the log; '' when there is none (stdin). */
  path?: string;
}

/** What the rewrite needs to know about the model: for the prompt mode and the log. */
export type ModelRef = Pick<ModelInfo, 'name' | 'file'> & { cptTuned?: boolean };

export interface RewriteJob {
  /** The writer's text, exactly as selected. */
  text: string;
  style: Style;
  source?: TextSource;
  promptMode: PromptModeSetting;
  model: ModelRef;
  sampling?: Partial<Sampling>;
  /**
   * A new candidate for text already rewritten (Regenerate): a fresh random seed unless one is given,
   * and at temperature 0 a sampling temperature instead, since greedy decoding would repeat itself.
   */
  fresh?: boolean;
  /** The paragraphs around the text, for the model to read, never to rewrite (already capped: see contextAround). */
  context?: RewriteContext;
  /** A one-off instruction from the writer for this rewrite ("keep it under 50 words", "British spelling"). */
  note?: string;
  signal?: AbortSignal;
  /** Each piece of raw model output as it streams. */
  onToken?: (text: string) => void;
}

/** The rewrite event of the feedback log, less the id and time the recorder stamps. */
export type RewriteRecord = Omit<RewriteEvent, 'v' | 'type' | 'id' | 'time'>;

interface OutcomeBase {
  prompt: RewritePrompt;
  sampling: Sampling;
  /** What the model wrote, before clean-up. */
  raw: string;
  /** The engine's stop reason and timings. */
  result: GenerateResult;
}

/**
 * How a rewrite ended. 'done' carries the cleaned proposal and the feedback record; 'empty' means the
 * model wrote nothing usable; 'cancelled' means the signal fired (raw holds what was written so far).
 */
export type RewriteOutcome =
  | (OutcomeBase & {
      status: 'done';
      text: string;
      record: RewriteRecord;
      /** What of the original's markup the proposal lost or altered ("lost: \\cite{knuth84}"); [] when nothing. */
      markupLost: string[];
    })
  | (OutcomeBase & { status: 'empty' })
  | (OutcomeBase & { status: 'cancelled' });

export type { Engine };
