/** A style level on the 1..5 slider. 1 = the rubric's lowest description, 5 = its highest. */
export type Level = 1 | 2 | 3 | 4 | 5;
export const LEVELS: readonly Level[] = [1, 2, 3, 4, 5];

/** Target judge score (0–100) for each level; levels 1, 3, 5 are the paper's low / 50 / extremely-high targets. */
export const LEVEL_TARGET_SCORE: Readonly<Record<Level, number>> = { 1: 10, 2: 30, 3: 50, 4: 70, 5: 90 };

export interface Criterion {
  name: string;
  /** Percent; a rubric's weights sum to 100. */
  weight: number;
  /** What this criterion looks like at levels 1..5 (index 0 = level 1). */
  levels: [string, string, string, string, string];
}

export interface Rubric {
  id: string;
  title: string;
  summary: string;
  /** Level names, index 0 = level 1. */
  levels: [string, string, string, string, string];
  criteria: Criterion[];
  scoring: string;
  /** Authored CPT system prompts per level; missing levels get a derived directive. */
  directives: Partial<Record<Level, string>>;
  /** Where it came from: absolute file path, and whether it ships with the extension. */
  source: { file: string; builtin: boolean };
  /** Stable content hash (sha256 hex, first 16 chars) of the normalised rubric, logged with feedback. */
  hash: string;
}

/** One problem in one rubric file, reported as FILE:LINE:COL: message (line and col are 1-based). */
export interface RubricProblem {
  file: string;
  line: number;
  col: number;
  message: string;
  /** 'error' (default) makes the file invalid; 'warning' is reported but the rubric still loads. */
  severity?: 'error' | 'warning';
}

export interface RubricLoadResult {
  rubrics: Rubric[];
  problems: RubricProblem[];
}

export function formatProblem(p: RubricProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.message}`;
}
