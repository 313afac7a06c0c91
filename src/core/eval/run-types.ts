// What an evaluation run is given (the models, the judge, the passages and the settings), what it reports as
// it goes and when it ends, and the errors that stop it before or during the run (core/eval/run.ts runs it).
import type { TextGenerator } from '../engine/types';
import { CptError } from '../errors';
import type { LazyGenerator } from '../judge';
import type { GivenUp } from '../jsonl/attempts';
import type { Logger } from '../log';
import type { PromptMode } from '../prompts/types';
import { MAX_BEST_OF } from '../rewrite/best-of';
import type { ModelRef, Sampling } from '../rewrite/types';
import type { Level, Rubric } from '../rubrics/types';
import type { ReportFiles } from './files';
import type { EvalReport, EvalText, SampleAdapter, SkippedText } from './types';

/** A rewriting model, loaded: opened one at a time and disposed before the next. */
export interface EvalModelHandle {
  generator: TextGenerator;
  /** How samples and the report name it: the path as given or the chosen label, and its adapters. */
  name: string;
  /** Its content fingerprint (core/engine/fingerprint); without one the name alone identifies it. */
  fingerprint?: string;
  /** The adapters applied to it, as samples record them. */
  adapters?: SampleAdapter[];
  /** The loaded context's size in tokens: a passage whose prompt and maxTokens exceed it is skipped. */
  contextSize?: number;
  /**
   * Counts a prompt's tokens as the model would evaluate it (EngineClient.promptTokens). With it and
   * contextSize, a passage that cannot fit is skipped before anything is generated; without it, after its
   * first rewrite shows the prompt's size.
   */
  countTokens?: (system: string, user: string) => Promise<number>;
  /** For the prompt and the record (name and file). */
  ref: ModelRef;
  dispose(): Promise<void>;
}

export interface EvalRun {
  outDir: string;
  /** Evaluated in this order, one loaded at a time. */
  models: ReadonlyArray<{ label: string; open: () => Promise<EvalModelHandle> }>;
  /**
   * A second model that judges every rewrite, loaded when first needed; without one each model judges its own
   * rewrites.
   */
  judge?: LazyGenerator;
  /** The judge's content fingerprint, once it is loaded (a local file), recorded in each sample. */
  judgeFingerprint?: () => string | undefined;
  rubrics: readonly Rubric[];
  /** The passages to rewrite, or with kind 'tasks' the writing prompts to write from. */
  texts: readonly EvalText[];
  /**
   * 'texts' (default): each passage is rewritten (core/rewrite). 'tasks': free writing, the paper's setting:
   * each text is a writing prompt, sent as the user message under the style's system prompt; its samples
   * carry `task: true` and make rows of their own.
   */
  kind?: 'texts' | 'tasks';
  levels: readonly Level[];
  /** Rewrites per passage × rubric × level (default 1), each with its own seed. */
  samples?: number;
  modes: readonly PromptMode[];
  /**
   * Best-of-N settings to evaluate (default [1]): for N above 1 each sample is core/rewrite's best-of-N
   * (N candidates, each judged, the one nearest the target kept), scored by the judge's verdict on it.
   */
  bestOf?: readonly number[];
  /** The rewrites' sampling; `seed` is the base each sample's seed is derived from (default 0). */
  sampling?: Partial<Sampling>;
  judgeOptions?: { maxCritiqueChars?: number; temperature?: number };
  /**
   * Samples made at once (default 1). With a local model they run as parallel sequences of one context;
   * samples.jsonl then holds them in the order they finish.
   */
  concurrency?: number;
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: EvalProgress) => void;
}

export interface EvalProgress {
  /**
   * Samples attempted in this run, and the most there are left to attempt (it shrinks as models load and show
   * what they have).
   */
  done: number;
  total: number;
  failed: number;
  model: string;
  /** Seconds left at this run's pace; undefined until a sample was made. */
  etaSeconds?: number;
  item?: { what: string; ok: boolean; message?: string };
}

export interface EvalOutcome {
  /**
   * complete: every planned sample exists; incomplete: some failed (run again to retry them); cancelled: the
   * signal fired.
   */
  status: 'complete' | 'incomplete' | 'cancelled';
  planned: number;
  present: number;
  made: number;
  failures: Array<{ what: string; message: string }>;
  /** Lines of samples.jsonl that were repaired or skipped. */
  notices: string[];
  /** Passages left out because their prompt and the token limit do not fit the context, per model. */
  skippedTexts: SkippedText[];
  /** Samples that failed MAX_ATTEMPTS times over this and earlier runs (DIR/failures.jsonl): not tried again. */
  givenUp: GivenUp[];
  files: { samples: string } & ReportFiles;
  report: EvalReport;
}

/** Bad settings or a samples file from another setup: nothing was run. */
export class EvalConfigError extends CptError<'EVAL_CONFIG'> {
  constructor(message: string) {
    super('EVAL_CONFIG', message);
    this.name = 'EvalConfigError';
  }
}

/**
 * The run stopped on a failure every further sample would repeat (a model or judge that fails to load, a crashed
 * engine).
 */
export class EvalStoppedError extends CptError<'EVAL_STOPPED'> {
  constructor(
    message: string,
    readonly samplesFile: string,
    readonly present: number,
  ) {
    super(
      'EVAL_STOPPED',
      `${message}; the ${present} sample${present === 1 ? '' : 's'} made so far ` +
        `${present === 1 ? 'is' : 'are'} kept in ${samplesFile}: run again to continue`,
    );
  }
}

/** Refuses bad settings before anything runs, naming every problem at once. */
export function checkEvalRun(
  run: Pick<EvalRun, 'models' | 'rubrics' | 'texts' | 'levels' | 'samples' | 'modes' | 'bestOf'>,
): void {
  const problems: string[] = [];
  if (!run.models.length) problems.push('no model to evaluate');
  if (!run.rubrics.length) problems.push('no rubric to evaluate against');
  if (!run.texts.length) problems.push('no passage to rewrite (the texts are empty)');
  if (!run.levels.length) problems.push('no level to evaluate');
  const bad = run.levels.filter((l) => !(Number.isInteger(l) && l >= 1 && l <= 5));
  if (bad.length) problems.push(`levels must be 1 to 5, got ${bad.join(', ')}`);
  const K = run.samples ?? 1;
  if (!Number.isInteger(K) || K < 1) problems.push(`samples must be a whole number of at least 1, got ${K}`);
  if (!run.modes.length) problems.push('no prompt mode');
  const badN = (run.bestOf ?? [1]).filter((n) => !(Number.isInteger(n) && n >= 1 && n <= MAX_BEST_OF));
  if (badN.length) problems.push(`best-of must be 1 to ${MAX_BEST_OF}, got ${badN.join(', ')}`);
  if (run.bestOf && !run.bestOf.length) problems.push('no best-of N');
  if (problems.length) throw new EvalConfigError(`cannot evaluate: ${problems.join('; ')}`);
}
