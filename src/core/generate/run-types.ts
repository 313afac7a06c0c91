// What a "generate preference data" run is given (the teacher, the judge, the tasks, the rubrics and the
// settings) and what it ends with (core/generate/run.ts runs it).
import type { TextGenerator } from '../engine/types';
import type { JudgeOptions, Judgement } from '../judge';
import type { GivenUp } from '../jsonl/attempts';
import type { Logger } from '../log';
import type { Level, Rubric } from '../rubrics/types';
import type {
  GenerateFailure,
  GenerateProgress,
  GenerateSampling,
  GenerateTask,
  InputKind,
  InputProblem,
  LevelCounts,
  SkippedTask,
} from './types';

/** The judge's core call (core/judge's judgeText; a test may pass its own). */
export type JudgeTextFn = (
  generator: TextGenerator,
  rubric: Rubric,
  text: string,
  options?: JudgeOptions,
) => Promise<Judgement>;
export type NearestLevelFn = (score: number, levels: readonly Level[]) => Level;

export interface GenerateJudge {
  generator: TextGenerator;
  /** How the judge is named in samples and the report. */
  name: string;
  judgeText: JudgeTextFn;
  nearestLevel: NearestLevelFn;
}

export interface GenerateRun {
  outDir: string;
  kind: InputKind;
  tasks: readonly GenerateTask[];
  rubrics: readonly Rubric[];
  /** At least two: the swap trick contrasts levels. */
  levels: readonly Level[];
  /** Outputs per task × rubric × level (default 1). */
  samples?: number;
  /** The passages' language id (texts), as the extension would pass it (default plaintext). */
  languageId?: string;
  /** The teacher condenses each rubric × level into a directive, which becomes the student system prompt. */
  summarize?: boolean;
  sampling?: Partial<GenerateSampling>;
  /** Requests in flight at once (default 1). */
  concurrency?: number;
  teacher: {
    generator: TextGenerator;
    name: string;
    /**
     * A local teacher's context size and token counter (EngineClient.promptTokens): an input whose teacher
     * prompt and maxTokens cannot fit is skipped before any request, named and counted. Without them
     * (a server), an engine's refusal of a too-long prompt skips the input the same way.
     */
    contextSize?: number;
    countTokens?: (system: string, user: string) => Promise<number>;
  };
  judge?: GenerateJudge;
  /**
   * Keep only outputs the judge placed strictly nearest their own level's target (needs judge); the tie
   * rule is core/eval's onLevel, the same as eval's accuracy.
   */
  filter?: boolean;
  /** Pair outputs that stopped at the token limit too (default: they are left out of the pairs and counted). */
  keepTruncated?: boolean;
  /** Also write the pairs in the flat form here. */
  flat?: string;
  /** Hold out this share of the pairs (whole groups about one input) as pairs.test.jsonl, for the card's test split. */
  testSplit?: { testFraction: number; seed: number };
  /**
   * Content fingerprints of a local teacher and judge (with their adapters' as FINGERPRINT×SCALE after a
   * "+"), recorded in each sample and the dataset card.
   */
  fingerprints?: { teacher?: string; judge?: string };
  /** Where the tasks came from and the lines that were not used, for the report. */
  input?: { file: string; problems: readonly InputProblem[] };
  signal?: AbortSignal;
  logger?: Logger;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateFiles {
  samples: string;
  pairs: string;
  report: string;
  config: string;
  flat?: string;
  directives?: string;
  /** The dataset card (README.md), unless the folder holds a README.md of its own. */
  card: string;
  testPairs?: string;
}

export interface GenerateOutcome {
  /** complete: every planned output exists; incomplete: some failed (re-run to retry them); stopped: a
   * failure that every request would repeat ended the run; cancelled: the signal fired. */
  status: 'complete' | 'incomplete' | 'stopped' | 'cancelled';
  stopReason?: string;
  files: GenerateFiles;
  planned: number;
  /** Planned outputs that exist now (made earlier or in this run). */
  present: number;
  /** Made in this run. */
  made: number;
  /** Judged in this run. */
  judged: number;
  requests: number;
  pairs: number;
  identicalSkipped: number;
  failures: GenerateFailure[];
  /** Repairs and skipped lines in the files read. */
  notices: string[];
  counts: LevelCounts[];
  /** Inputs left out as too long for the teacher's context (their outputs are neither made nor missing). */
  skipped: SkippedTask[];
  /**
   * Outputs (and judgements, named "KEY (judge)") that failed MAX_ATTEMPTS times over this and earlier runs
   * (DIR/failures.jsonl): not tried again, and no longer counted as missing.
   */
  givenUp: GivenUp[];
  /** DIR/report.md's text. */
  report: string;
}

export const DEFAULT_GENERATE_SAMPLING: Readonly<GenerateSampling> = { temperature: 0.7, maxTokens: 1024 };
