// The shapes of an evaluation: the passages it rewrites, the sample lines it writes, the report it computes.
import type { PromptMode } from '../prompts/types';
import type { Level } from '../rubrics/types';

/** One passage to rewrite at every level (samples/eval/texts.jsonl: {"id","register","languageId","text"}). */
export interface EvalText {
  id: string;
  text: string;
  /** VS Code's language id: decides the markup line of the rewrite prompt, as in the editor. */
  languageId: string;
  /** What kind of writing it is (email, blog, academic, ...), for the reader of the report. */
  register?: string;
  /** 1-based line in the texts file, for messages. */
  line: number;
}

/** One line of DIR/samples.jsonl: one rewrite of one passage at one level, and the judge's verdict on it. */
export interface EvalSample {
  v: 1;
  textId: string;
  rubric: string;
  level: Level;
  /** The level's target judge score (LEVEL_TARGET_SCORE: 10, 30, 50, 70, 90). */
  target: number;
  mode: PromptMode;
  /** The rewriting model's readable label: the path as given (or LABEL of --model PATH=LABEL), plus its adapters. */
  model: string;
  /**
   * The rewriting model's content fingerprint (core/engine/fingerprint). With `adapters` it is the model's
   * identity: rows, resumes and duplicates go by it, so two files with one name stay two models and one file
   * by two paths stays one. Optional: a line without it is identified by `model` alone.
   */
  modelFingerprint?: string;
  /** The LoRA adapters applied to the rewriting model, in order (none when absent). */
  adapters?: SampleAdapter[];
  /**
   * Best-of-N: how many candidates were written and judged, the one nearest the target kept (default 1: a
   * single rewrite). Samples of each N are their own report row.
   */
  bestOf?: number;
  /** Judge calls this sample cost: N for best-of-N (fewer when candidates were empty), else 1 (default). */
  judgements?: number;
  /**
   * The input was a free-writing prompt (eval --tasks, the paper's own setting): the output was written from
   * it under the style's system prompt rather than rewritten from a passage (default false). Task samples are
   * rows of their own, never pooled with rewrites.
   */
  task?: boolean;
  /** 0-based index among the --samples K rewrites of the same passage, rubric and level (default 0). */
  sample: number;
  output: string;
  /** Whether the rewrite stopped at the token limit (default false). */
  truncated?: boolean;
  /** The judge's whole-number score, 0..100. */
  score: number;
  /** Default ''. */
  critique: string;
  judge: string;
  /** The judge's content fingerprint, when it is a local file. */
  judgeFingerprint?: string;
  /** core/judge's JUDGE_PROMPT_VERSION: a resumed run does not mix two judges' wording (optional). */
  judgePrompt?: number;
  /** The rewrite's sampling seed (optional). */
  seed?: number;
  /** Wall-clock seconds for the rewrite and its judgement (default 0). */
  seconds: number;
  /** Optional. */
  time?: string;
}

/** A LoRA adapter as a sample records it. */
export interface SampleAdapter {
  /** The path as given on the command line or in the settings. */
  label: string;
  fingerprint: string;
  scale: number;
}

/** A passage left out of a run because its prompt and --max-tokens do not fit the context. */
export interface SkippedText {
  textId: string;
  /** A writing prompt of --tasks rather than a passage. */
  task?: boolean;
  model: string;
  tokens: number;
  contextSize: number;
}

/** Where an evaluation's samples-file line was skipped, and why. */
export interface SkippedLine {
  file: string;
  line: number;
  reason: string;
}

/** n, mean and spread of the judged score at one level. */
export interface LevelStats {
  level: Level;
  target: number;
  n: number;
  mean: number | null;
  /** Sample standard deviation (n − 1); null below 2 samples. */
  sd: number | null;
  min: number | null;
  /** Quartiles by linear interpolation (NumPy's default). */
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
}

/** Every metric over one set of samples. A null is a metric the samples cannot give (one level, a constant score). */
export interface EvalMetrics {
  n: number;
  /** The levels evaluated (of the whole model × mode row). */
  levels: Level[];
  accuracy: number | null;
  tauB: number | null;
  rho: number | null;
  orderAccuracy: number | null;
  /** Passage × rubric groups holding every evaluated level: the denominator of orderAccuracy. */
  orderGroups: number;
  perLevel: LevelStats[];
  /** Seconds spent rewriting and judging these samples. */
  seconds: number;
}

/** One model in one prompt mode: pooled over rubrics and per rubric. */
export interface EvalRow {
  /** The readable label (made unique within the report by the fingerprint when two models share one). */
  model: string;
  /** What the row's samples share: evalModelIdentity (fingerprint and adapters, or the label alone). */
  identity: string;
  modelFingerprint?: string;
  adapters?: SampleAdapter[];
  mode: PromptMode;
  /** Best-of-N of the row's samples (1: single rewrites). */
  bestOf: number;
  /** The row's samples were written from --tasks prompts, not rewritten from passages. */
  task: boolean;
  /** What a sample of this row costs on average: wall-clock seconds and judge calls. */
  cost: { secondsPerSample: number; judgementsPerSample: number };
  /** Share of the row's rewrites that stopped at the token limit. */
  truncated: number;
  /** Who judged (more than one means the row mixes judges: read it with care). */
  judges: string[];
  pooled: EvalMetrics;
  rubrics: Array<{ rubric: string } & EvalMetrics>;
}

export interface EvalReport {
  v: 1;
  /** The samples files the report was computed from. */
  sources: string[];
  rows: EvalRow[];
  /** Lines of the samples files that could not be used. */
  skipped: SkippedLine[];
  /** Passages a run left out because they do not fit the context (only in a run's own report). */
  skippedTexts?: SkippedText[];
  /** Samples given up after MAX_ATTEMPTS failed attempts (only in a run's own report). */
  givenUp?: Array<{ what: string; attempts: number; message: string }>;
  definitions: Record<string, string>;
}
