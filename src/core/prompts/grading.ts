// The whole rubric as a grader reads it: what the judge scores against, and what the teacher writes for
// (the teacher is told this judge will grade it), so both see the same text.
import { LEVELS, type Rubric } from '../rubrics/types';

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : prefix + l))
    .join('\n');
}

/** The whole rubric as a grading rubric: summary, every criterion at every level with its weight, scoring notes. */
export function rubricAsGradingText(rubric: Rubric): string {
  const levelList = LEVELS.map((l) => `${l} "${rubric.levels[l - 1]}"`).join(', ');
  const criteria = rubric.criteria
    .map((c, i) =>
      [
        `${i + 1}. ${c.name} (weight ${c.weight}%)`,
        ...LEVELS.map((l) => `   - Level ${l} "${rubric.levels[l - 1]}": ${indent(c.levels[l - 1], '     ')}`),
      ].join('\n'),
    )
    .join('\n');
  return [
    `# Rubric: ${rubric.title}\n${rubric.summary}\n\nLevels, lowest to highest: ${levelList}.`,
    `## Criteria (weights sum to 100%)\n${criteria}`,
    ...(rubric.scoring ? [`## Scoring notes\n${rubric.scoring}`] : []),
  ].join('\n\n');
}
