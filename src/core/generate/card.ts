// DIR/README.md of a generate run: a dataset card a dataset hub reads (its YAML header names the files of
// each split, the license field and the task category) and a reader can trust: which rubrics and levels,
// how many outputs per rubric × level, which teacher and judge (with content fingerprints), the prompt
// mode the student prompts were written in, and how many outputs were truncated or are missing.
import type { Level } from '../rubrics/types';
import type { LevelCounts } from './types';

export interface DatasetCardInput {
  /** File names relative to the card: the pairs of each split. */
  splits: { train: string; test?: string };
  pairs: { train: number; test: number };
  rubrics: ReadonlyArray<{ id: string; title: string }>;
  levels: readonly Level[];
  counts: readonly LevelCounts[];
  teacher: { name: string; fingerprint?: string };
  judge?: { name: string; fingerprint?: string };
  /** How the student system prompts were written ("directive", or "directive (summarized by the teacher)"). */
  promptMode: string;
  kind: 'texts' | 'tasks';
  inputs: number;
  /** Outputs planned but not present (failed or not made yet). */
  missing: number;
  keepTruncated: boolean;
  filter: boolean;
}

/** Marks a README.md as this card, so a rerun replaces it and never a README the writer wrote. */
export const DATASET_CARD_MARK = '<!-- written by cpt-writer generate: replaced on each run -->';

const yamlString = (s: string) => JSON.stringify(s);

export function formatDatasetCard(c: DatasetCardInput): string {
  const truncated = c.counts.reduce((a, x) => a + x.truncated, 0);
  const present = c.counts.reduce((a, x) => a + x.present, 0);
  const out: string[] = [
    '---',
    // Every source text's license is the writer's to state: "other" until they set it.
    'license: other',
    'task_categories:',
    '  - text-generation',
    'tags:',
    '  - dpo',
    '  - preference',
    '  - configurable-preference-tuning',
    'configs:',
    '  - config_name: default',
    '    data_files:',
    '      - split: train',
    `        path: ${yamlString(c.splits.train)}`,
    ...(c.splits.test ? ['      - split: test', `        path: ${yamlString(c.splits.test)}`] : []),
    '---',
    '',
    DATASET_CARD_MARK,
    '',
    '# CPT preference pairs',
    '',
    'Preference pairs in the conversational format of TRL (`prompt` with a system and a user message, `chosen`,',
    '`rejected`), made with the swap trick of Configurable Preference Tuning: two outputs for one input at two',
    'levels of a rubric give a pair in each direction, each under its own level’s system prompt.',
    '',
    `- Pairs: ${c.pairs.train} train${c.splits.test ? `, ${c.pairs.test} test` : ''}.`,
    `- Input: ${c.inputs} ${c.kind === 'texts' ? 'passages to rewrite' : 'writing prompts'}.`,
    `- Rubrics: ${c.rubrics.map((r) => `${r.id} (${r.title})`).join(', ')}; levels ${c.levels.join(', ')}.`,
    `- Teacher: ${c.teacher.name}${c.teacher.fingerprint ? ` (fingerprint ${c.teacher.fingerprint})` : ''}.`,
    `- Judge: ` +
      (c.judge
        ? `${c.judge.name}${c.judge.fingerprint ? ` (fingerprint ${c.judge.fingerprint})` : ''}` +
          (c.filter ? '; outputs not strictly nearest their own level’s target left out' : '')
        : 'none') +
      '.',
    `- Prompt mode of the system prompts: ${c.promptMode}.`,
    `- Outputs: ${present} present, ${c.missing} missing (failed or not made); ${truncated} stopped at the token ` +
      `limit` +
      `${truncated ? (c.keepTruncated ? ' (kept in the pairs)' : ' (left out of the pairs)') : ''}.`,
    '',
    '## Outputs per rubric and level',
    '',
    '| rubric | level | present | truncated | kept in pairs |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const x of c.counts) out.push(`| ${x.rubric} | ${x.level} | ${x.present} | ${x.truncated} | ${x.kept} |`);
  out.push(
    '',
    'Fingerprints are SHA-256 over the GGUF file’s size, header, sampled tensor data and end (see the',
    'project README, “Which model made a number”).',
    '',
  );
  return out.join('\n');
}
