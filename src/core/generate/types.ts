// The shapes of `cpt-writer generate`: its input tasks, the sample lines it writes, what a run reports.
import type { Level } from '../rubrics/types';

/** --texts: passages to rewrite (the extension's rewrite task); --tasks: free writing prompts (the paper's setting). */
export type InputKind = 'texts' | 'tasks';

/** One input: a passage (texts) or a writing prompt (tasks), with the id that names its samples. */
export interface GenerateTask {
  id: string;
  text: string;
  /** 1-based line in the input file, for messages. */
  line: number;
}

/** An input line that was not used, and why. */
export interface InputProblem {
  line: number;
  message: string;
}

export interface GenerateSampling {
  temperature: number;
  maxTokens: number;
  /** When set, each output gets its own seed derived from this one and the output's key. */
  seed?: number;
}

/** One line of DIR/samples.jsonl: one teacher output for one task × rubric × level × sample index. */
export interface GenerateSample {
  v: 1;
  /** The task's id. */
  id: string;
  /** 0-based index among the --samples K outputs for the same task, rubric and level. */
  sample: number;
  rubric: string;
  level: Level;
  /** The level's target judge score (10, 30, 50, 70, 90). */
  target: number;
  /** How the target was put to the teacher ("a middling score, about 50/100"). */
  qualifier: string;
  /** The student system prompt: exactly what the extension sends in directive mode (or the summarized directive). */
  system: string;
  /** The student user message: the extension's rewrite message (texts) or the prompt itself (tasks). */
  user: string;
  output: string;
  /** Who wrote it: "model @ http://host/v1" or the GGUF's name and file (with its adapters). */
  teacher: string;
  /**
   * A local teacher's content fingerprint, its adapters' after it as FINGERPRINT×SCALE joined by "+"
   * (core/engine/fingerprint), so two checkpoints with one name are told apart in the data.
   */
  teacherFingerprint?: string;
  /** The judge's 0–100 score, when a judge ran. */
  score?: number;
  critique?: string;
  judge?: string;
  /** A local judge's content fingerprint (and its adapters'), as teacherFingerprint. */
  judgeFingerprint?: string;
  /** The teacher stopped at the token limit. */
  truncated?: boolean;
  time: string;
}

/** One output that could not be made (or judged) in this run. */
export interface GenerateFailure {
  /** "id/rubric/L3/s0", or "directive formality/L3". */
  what: string;
  message: string;
}

export interface GenerateProgress {
  phase: 'directives' | 'outputs';
  done: number;
  total: number;
  failed: number;
  /** The item just finished. */
  item?: { what: string; ok: boolean; message?: string };
}

/** An input left out because the teacher's prompt and the token limit do not fit the teacher's context. */
export interface SkippedTask {
  id: string;
  tokens: number;
  contextSize: number;
}

/** Per rubric × level counts for the report. */
export interface LevelCounts {
  rubric: string;
  level: Level;
  planned: number;
  present: number;
  scored: number;
  /** Kept by --filter (nearest to its own level's target). */
  kept: number;
  dropped: number;
  /** Outputs that stopped at the token limit (left out of the pairs unless keepTruncated). */
  truncated: number;
  meanScore?: number;
}
