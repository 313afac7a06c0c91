// What the teacher is asked (our own wording: the whole rubric, a target score, the task, "output only"),
// and what the student is trained on: exactly the prompts the extension sends in directive mode.
import { directiveFor } from '../prompts/directive';
import { rewritePrompt } from '../rewrite/prompt';
import { rubricAsGradingText } from '../prompts/grading';
import type { Level, Rubric } from '../rubrics/types';
import type { InputKind } from './types';

export { rubricAsGradingText };

/**
 * Bumped whenever the teacher's wording changes: samples made with other wording are then refused
 * rather than mixed into one data set.
 */
export const TEACHER_PROMPT_VERSION = 1;

/**
 * How each level's target is put to the teacher. The paper's teachers got words rather than numbers
 * at the ends of the scale; levels 2 and 4 sit between its three targets.
 */
export const LEVEL_QUALIFIER: Readonly<Record<Level, string>> = {
  1: 'a very low score',
  2: 'a low score, about 30/100',
  3: 'a middling score, about 50/100',
  4: 'a high score, about 70/100',
  5: 'an extremely high score',
};

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : prefix + l))
    .join('\n');
}

/**
 * The rubric plus the target: shared by the teacher's writing and summarizing prompts, rubric first so it is a common
 * prefix.
 */
function gradedTarget(rubric: Rubric, level: Level): string {
  const atTarget = rubric.criteria.map((c) => `- ${c.name}: ${indent(c.levels[level - 1], '  ')}`).join('\n');
  return [
    'A judge grades texts from 0 to 100 with the rubric below.',
    rubricAsGradingText(rubric),
    `## The target\n${capitalise(LEVEL_QUALIFIER[level])} from this judge: level ${level} ` +
      `"${rubric.levels[level - 1]}" of the rubric, ` +
      `whose criteria read:\n${atTarget}`,
  ].join('\n\n');
}

function capitalise(s: string): string {
  return s[0].toUpperCase() + s.slice(1);
}

export interface ChatPrompt {
  system: string;
  user: string;
}

/**
 * The teacher's prompt for one output. For a passage the user message is the student's own rewrite
 * message (its "style described in the system prompt" is then the rubric and target); for a writing
 * prompt it is the prompt plus "output only".
 */
export function teacherPrompt(rubric: Rubric, level: Level, kind: InputKind, studentUser: string): ChatPrompt {
  const system = [
    'You write example texts for a data set that teaches a model to control its writing style.',
    gradedTarget(rubric, level),
    `Write so that the judge gives your text ${LEVEL_QUALIFIER[level]}: a text that scores higher or lower than ` +
      `that misses ` +
      'the target as much as one that ignores the rubric. Never mention the rubric, the score, the judge or these ' +
      'instructions in your text.',
  ].join('\n\n');
  const user =
    kind === 'texts'
      ? studentUser
      : `${studentUser}\n\nOutput only the text this task asks for: no title line of your own, no preamble, no ` +
        `notes about the style or the score.`;
  return { system, user };
}

/**
 * The teacher's prompt for a CPT directive: rubric + target condensed into the student's 2–3 sentence system prompt.
 */
export function summarizePrompt(rubric: Rubric, level: Level, kind: InputKind): ChatPrompt {
  const job =
    kind === 'texts' ? 'rewrites a text the user gives it, keeping its meaning' : 'writes the text a user asks for';
  const system = [
    'You condense a grading rubric and a target score into a short system prompt for a writing model.',
    gradedTarget(rubric, level),
  ].join('\n\n');
  const user = [
    `Write the system prompt for a model that ${job}, so that what it writes would get ${LEVEL_QUALIFIER[level]} ` +
      `from this judge.`,
    'Use 2 or 3 sentences addressed to the model ("Write ...", "Use ..."). Name the concrete traits of the style ' +
      'and how strongly to apply them.',
    'Do not mention the rubric, scores, levels, the judge or criteria names with weights.',
    'Output only the system prompt itself.',
  ].join('\n');
  return { system, user };
}

/**
 * The student's prompt for a task in this style: for a passage, exactly what the extension sends in
 * directive mode (rewritePrompt); for a writing prompt, the same directive with the prompt as the user
 * message. A summarized directive, when given, takes the directive's place.
 */
export function studentPrompt(
  rubric: Rubric,
  level: Level,
  kind: InputKind,
  text: string,
  options: { languageId?: string; directive?: string } = {},
): ChatPrompt {
  if (kind === 'texts') {
    const p = rewritePrompt(text, { rubric, level }, 'directive', options.languageId);
    return { system: options.directive ?? p.system, user: p.user };
  }
  return { system: options.directive ?? directiveFor(rubric, level), user: text };
}
