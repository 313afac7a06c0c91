// Loading, validating and listing rubrics (the file format: README "Rubrics", checked in parse.ts).
import { parseRubricText } from './parse';
import type { Level, Rubric, RubricLoadResult } from './types';
export * from './types';
export { builtinRubricsDir, loadRubrics, errorProblems } from './load';
export { ID_PATTERN, ID_RULE, idProblem } from './parse';
export { RUBRIC_LIMITS } from './limits';
export { rubricHash } from './hash';
export { estimateTokens, MAX_DIRECTIVE_TOKENS } from './tokens';
export { importCptTable, parseCptTable, rubricToYaml, DEFAULT_IMPORT_LEVEL_NAMES } from './import-cpt';
export type { CptImportOptions, CptImportResult } from './import-cpt';

/** Parses and validates one rubric file's text. */
export function parseRubric(
  text: string,
  file: string,
  builtin = false,
): { rubric?: Rubric; problems: RubricLoadResult['problems'] } {
  const { rubric, problems } = parseRubricText(text, file, builtin);
  return { rubric, problems };
}

/** The rubric's name for a level (1..5). */
export function levelName(rubric: Rubric, level: Level): string {
  return rubric.levels[level - 1];
}

/** Parses a level from user input ("3"); undefined unless it is an integer 1..5. */
export function parseLevel(value: unknown): Level | undefined {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 5 ? (n as Level) : undefined;
}
