// Rubric mode: the CPT "teacher" prompt — the whole rubric as a grading rubric, then the target score —
// for models that were never CPT-tuned and so need to see what each level means.
import { LEVEL_TARGET_SCORE, LEVELS, type Level, type Rubric } from '../rubrics/types';

function indent(text: string, prefix: string): string {
  return text
    .split('\n')
    .map((l, i) => (i === 0 ? l : prefix + l))
    .join('\n');
}

/** "aim for a score of about N/100, i.e. level k 'Name'" — the sentence both modes' logs can be grepped for. */
export function targetSentence(rubric: Rubric, level: Level): string {
  return (
    `Aim for a score of about ${LEVEL_TARGET_SCORE[level]}/100, i.e. level ${level} ` + `"${rubric.levels[level - 1]}".`
  );
}

export function rubricPrompt(rubric: Rubric, level: Level): string {
  const levelList = LEVELS.map((l) => `${l} "${rubric.levels[l - 1]}"`).join(', ');
  const bands = LEVELS.map((l) => `level ${l} ≈ ${LEVEL_TARGET_SCORE[l]}`).join(', ');
  const criteria = rubric.criteria
    .map((c, i) => {
      const rows = LEVELS.map((l) => `   - Level ${l} "${rubric.levels[l - 1]}": ${indent(c.levels[l - 1], '     ')}`);
      return [`${i + 1}. ${c.name} (weight ${c.weight}%)`, ...rows].join('\n');
    })
    .join('\n');
  const atTarget = rubric.criteria.map((c) => `- ${c.name}: ${indent(c.levels[level - 1], '  ')}`).join('\n');
  const sections = [
    'You rewrite text to a target style. A judge will score your rewrite from 0 to 100 with the grading rubric below.',
    `# Rubric: ${rubric.title}\n${rubric.summary}\n\nLevels, lowest to highest: ${levelList}.`,
    `## Criteria (weights sum to 100%)\n${criteria}`,
    `## Scoring notes\n${rubric.scoring ? `${rubric.scoring}\n` : ''}Score bands: ${bands}. The score is the ` +
      `weighted average over the criteria.`,
    `## Your target\n${targetSentence(rubric, level)} At that level:\n${atTarget}\n` +
      'Match the target level: a rewrite that lands on a higher or lower level misses it as much as one that ' +
      'ignores the rubric.',
  ];
  return sections.join('\n\n');
}
