// The judge generate uses for --judge-model (and --filter), behind the interface agreed with core/judge:
//   judgeText(generator, rubric, text, options?) → { score, critique };  nearestLevel(score, levels) → Level
// core/judge is being written in parallel. Until it lands this file holds a minimal judge with that
// interface (the rubric as a grading rubric, a JSON answer constrained by a schema); when it lands this
// file becomes `export { judgeText, nearestLevel } from '../judge';` and nothing else changes.
import type { TextGenerator } from '../engine/types';
import { LEVEL_TARGET_SCORE, type Level, type Rubric } from '../rubrics/types';
import { rubricAsGradingText } from './prompts';
import type { JudgeTextFn, NearestLevelFn } from './run';

const SCORES = Array.from({ length: 101 }, (_, i) => i);

export const judgeText: JudgeTextFn = async (generator: TextGenerator, rubric: Rubric, text: string, options = {}) => {
  const maxCritiqueChars = options.maxCritiqueChars ?? 400;
  const result = await generator.generate({
    system: `You are a strict judge. Grade the text the user gives you with this rubric.\n\n${rubricAsGradingText(rubric)}\n\n` +
      'Give a short critique, then one overall score from 0 to 100: the weighted average of the criteria, where level 1 of a criterion is worth about 10 and level 5 about 90.',
    user: `The text to grade:\n<text>\n${text}\n</text>`,
    // The critique is bounded in characters by the schema; a character can cost a token, plus the JSON around it.
    maxTokens: maxCritiqueChars + 48,
    temperature: options.temperature ?? 0,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    jsonSchema: {
      type: 'object',
      properties: { critique: { type: 'string', maxLength: maxCritiqueChars }, score: { enum: SCORES } },
      required: ['critique', 'score'],
    },
  });
  let parsed: { critique?: unknown; score?: unknown };
  try {
    parsed = JSON.parse(result.text) as typeof parsed;
  } catch {
    throw new Error(`the judge's answer is not JSON: ${result.text.slice(0, 80)}`);
  }
  const score = Number(parsed.score);
  if (!Number.isFinite(score) || score < 0 || score > 100) throw new Error(`the judge gave no score from 0 to 100: ${result.text.slice(0, 80)}`);
  return { score, critique: typeof parsed.critique === 'string' ? parsed.critique.slice(0, maxCritiqueChars) : '' };
};

/** The level whose target score is nearest; a tie goes to the lower level. */
export const nearestLevel: NearestLevelFn = (score: number, levels: readonly Level[]): Level => {
  let best = levels[0];
  for (const l of levels) if (Math.abs(score - LEVEL_TARGET_SCORE[l]) < Math.abs(score - LEVEL_TARGET_SCORE[best])) best = l;
  return best;
};
