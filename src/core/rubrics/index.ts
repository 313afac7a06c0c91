// API contract (helper implements): loading, validating and listing rubrics.
import type { Level, Rubric, RubricLoadResult } from './types';
export * from './types';

/** The folder of rubrics that ship with the extension (the repo's `rubrics/`). */
export function builtinRubricsDir(): string {
  throw new Error('not implemented');
}

/**
 * Loads every `*.yaml`/`*.yml` in the built-in folder and in `extraDirs` (missing folders are fine).
 * Invalid files become problems (FILE:LINE:COL: message); valid rubrics still load. A later folder's
 * rubric with an id already seen is a "duplicate id" problem and is not loaded.
 */
export async function loadRubrics(_options: { extraDirs?: string[]; includeBuiltin?: boolean } = {}): Promise<RubricLoadResult> {
  throw new Error('not implemented');
}

/** Parses and validates one rubric file's text. */
export function parseRubric(_text: string, _file: string, _builtin = false): { rubric?: Rubric; problems: RubricLoadResult['problems'] } {
  throw new Error('not implemented');
}

/** The rubric's name for a level (1..5). */
export function levelName(rubric: Rubric, level: Level): string {
  return rubric.levels[level - 1];
}
